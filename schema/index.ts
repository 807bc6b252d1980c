import {
	createTLSchema,
	defaultBindingSchemas,
	defaultShapeSchemas,
	type TLBaseBinding,
	type TLBaseShape,
	type TLSchema,
} from '@tldraw/tlschema'
import { CARD_SHAPE_TYPE, cardShapeMigrations, cardShapeProps, type CardShapeProps } from './card.ts'
import { PIN_BINDING_TYPE, pinBindingMigrations, pinBindingProps, type PinBindingProps } from './pin.ts'

export * from './card.ts'
export * from './pin.ts'

/**
 * The one place that says which records this deployment accepts: rooms, the records API, .tldr import,
 * duplicates, history diff and restore all use `schema`, and the web app builds its store from the same
 * definitions. Plain tldraw imports only (no Node or Worker APIs), so a browser bundler can include it.
 * To add a shape or binding: README "Add a custom shape".
 */
export const customShapeSchemas = {
	[CARD_SHAPE_TYPE]: { props: cardShapeProps, migrations: cardShapeMigrations },
}

export const customBindingSchemas = {
	[PIN_BINDING_TYPE]: { props: pinBindingProps, migrations: pinBindingMigrations },
}

export const schema: TLSchema = createTLSchema({
	shapes: { ...defaultShapeSchemas, ...customShapeSchemas },
	bindings: { ...defaultBindingSchemas, ...customBindingSchemas },
})

export type TLCardShape = TLBaseShape<typeof CARD_SHAPE_TYPE, CardShapeProps>
export type TLPinBinding = TLBaseBinding<typeof PIN_BINDING_TYPE, PinBindingProps>

// Teaches tldraw's types about the custom records, so TLShape / TLBinding include them everywhere.
declare module '@tldraw/tlschema' {
	interface TLGlobalShapePropsMap {
		card: CardShapeProps
	}
	interface TLGlobalBindingPropsMap {
		pin: PinBindingProps
	}
}
