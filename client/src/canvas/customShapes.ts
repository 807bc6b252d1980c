import { defaultBindingUtils, defaultShapeUtils, type TLAnyBindingUtilConstructor, type TLAnyShapeUtilConstructor } from 'tldraw'

/** The deployment's custom shapes and bindings (the shared schema module), for <Tldraw>, which adds the defaults. */
export const shapeUtils: TLAnyShapeUtilConstructor[] = []
export const bindingUtils: TLAnyBindingUtilConstructor[] = []

/** For useSync, whose store schema is exactly what it is given: the defaults plus ours, as the server has. */
export const storeShapeUtils = [...defaultShapeUtils, ...shapeUtils]
export const storeBindingUtils = [...defaultBindingUtils, ...bindingUtils]
