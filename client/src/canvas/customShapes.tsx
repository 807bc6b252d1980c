import {
	DefaultToolbar,
	DefaultToolbarContent,
	defaultBindingUtils,
	defaultShapeUtils,
	TldrawUiMenuItem,
	useIsToolSelected,
	useTools,
	type TLAnyBindingUtilConstructor,
	type TLAnyShapeUtilConstructor,
	type TLComponents,
	type TLUiOverrides,
} from 'tldraw'
import { CARD_SHAPE_TYPE } from '../../../schema/index.ts'
import { CardShapeTool, CardShapeUtil } from './CardShapeUtil'
import { PinBindingUtil } from './PinBindingUtil'

/** The deployment's custom shapes and bindings (schema/), for <Tldraw>, which adds tldraw's defaults itself. */
export const shapeUtils: TLAnyShapeUtilConstructor[] = [CardShapeUtil]
export const bindingUtils: TLAnyBindingUtilConstructor[] = [PinBindingUtil]
export const tools = [CardShapeTool]

/** For useSync, whose store schema is exactly what it is given: the defaults plus ours, as the server has. */
export const storeShapeUtils = [...defaultShapeUtils, ...shapeUtils]
export const storeBindingUtils = [...defaultBindingUtils, ...bindingUtils]

/** The card tool in tldraw's toolbar (shortcut K). */
export const uiOverrides: TLUiOverrides = {
	tools(editor, tools) {
		tools[CARD_SHAPE_TYPE] = {
			id: CARD_SHAPE_TYPE,
			icon: 'geo-check-box',
			label: 'Card',
			kbd: 'k',
			onSelect: () => editor.setCurrentTool(CARD_SHAPE_TYPE),
		}
		return tools
	},
}

export const components: TLComponents = {
	Toolbar: (props) => {
		const tools = useTools()
		const isCardSelected = useIsToolSelected(tools[CARD_SHAPE_TYPE])
		return (
			<DefaultToolbar {...props}>
				{tools[CARD_SHAPE_TYPE] && <TldrawUiMenuItem {...tools[CARD_SHAPE_TYPE]} isSelected={isCardSelected} />}
				<DefaultToolbarContent />
			</DefaultToolbar>
		)
	},
}
