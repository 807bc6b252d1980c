import { BindingUtil, type BindingOnShapeChangeOptions } from 'tldraw'
import { defaultPinBindingProps, PIN_BINDING_TYPE, pinBindingMigrations, pinBindingProps, type TLPinBinding } from '../../../schema/index.ts'

/** The example custom binding (schema/pin.ts): a pinned shape follows the shape it is pinned to. */
export class PinBindingUtil extends BindingUtil<TLPinBinding> {
	static override type = PIN_BINDING_TYPE
	static override props = pinBindingProps
	static override migrations = pinBindingMigrations

	override getDefaultProps() {
		return defaultPinBindingProps()
	}

	override onAfterChangeToShape({ binding }: BindingOnShapeChangeOptions<TLPinBinding>) {
		const editor = this.editor
		const target = editor.getShapePageBounds(binding.toId)
		const pinned = editor.getShape(binding.fromId)
		const pinnedBounds = pinned && editor.getShapePageBounds(pinned)
		if (!target || !pinned || !pinnedBounds) return
		const x = target.minX + binding.props.anchor.x * target.width - pinnedBounds.width / 2
		const y = target.minY + binding.props.anchor.y * target.height - pinnedBounds.height / 2
		if (Math.abs(x - pinnedBounds.minX) < 0.01 && Math.abs(y - pinnedBounds.minY) < 0.01) return
		// Page coordinates of a top-level shape are its own x/y; a pinned shape inside a frame is moved by the delta.
		editor.updateShape({ id: pinned.id, type: pinned.type, x: pinned.x + (x - pinnedBounds.minX), y: pinned.y + (y - pinnedBounds.minY) })
	}
}
