import { useEffect, useRef } from 'react'
import { BaseBoxShapeTool, BaseBoxShapeUtil, getColorValue, HTMLContainer, stopEventPropagation, useValue, type TLShapeId } from 'tldraw'
import { CARD_SHAPE_TYPE, cardShapeMigrations, cardShapeProps, defaultCardShapeProps, PIN_BINDING_TYPE, type TLCardShape } from '../../../schema/index.ts'

/**
 * The example custom shape (schema/card.ts) on the canvas: a coloured card with a title and a "done" tick.
 * Double-click to edit the title. Dropping a card on another shape pins it there (schema/pin.ts).
 */
export class CardShapeUtil extends BaseBoxShapeUtil<TLCardShape> {
	static override type = CARD_SHAPE_TYPE
	static override props = cardShapeProps
	static override migrations = cardShapeMigrations

	override canEdit() {
		return true
	}

	override getDefaultProps(): TLCardShape['props'] {
		return defaultCardShapeProps()
	}

	override component(shape: TLCardShape) {
		const editor = this.editor
		const { w, h, title, color, done } = shape.props
		const isEditing = useValue('card editing', () => editor.getEditingShapeId() === shape.id, [editor, shape.id])
		const colors = useValue('card colors', () => editor.getCurrentTheme().colors[editor.getColorMode()], [editor])
		const input = useRef<HTMLInputElement>(null)
		// tldraw keeps focus on its container when editing starts; take it once the input is there.
		useEffect(() => {
			if (!isEditing) return
			const frame = requestAnimationFrame(() => input.current?.focus())
			return () => cancelAnimationFrame(frame)
		}, [isEditing])
		const update = (props: Partial<TLCardShape['props']>) => editor.updateShape<TLCardShape>({ id: shape.id, type: CARD_SHAPE_TYPE, props })
		return (
			<HTMLContainer
				className="card-shape"
				data-testid="card-shape"
				style={{ width: w, height: h, background: getColorValue(colors, color, 'semi'), borderColor: getColorValue(colors, color, 'solid'), pointerEvents: 'all' }}
			>
				<label className="card-done" onPointerDown={stopEventPropagation}>
					<input type="checkbox" checked={done} disabled={editor.getIsReadonly()} onChange={(e) => update({ done: e.currentTarget.checked })} /> done
				</label>
				{isEditing ? (
					<input
						ref={input}
						className="card-title-input"
						value={title}
						placeholder="Card title"
						onPointerDown={stopEventPropagation}
						onChange={(e) => update({ title: e.currentTarget.value })}
						onKeyDown={(e) => {
							if (e.key === 'Enter' || e.key === 'Escape') editor.setEditingShape(null)
						}}
					/>
				) : (
					<div className={`card-title ${done ? 'card-title-done' : ''}`}>{title || 'Untitled card'}</div>
				)}
			</HTMLContainer>
		)
	}

	override getIndicatorPath(shape: TLCardShape) {
		const path = new Path2D()
		path.roundRect(0, 0, shape.props.w, shape.props.h, 8)
		return path
	}

	/** Dropped on another shape: pin it there (replacing any earlier pin); dropped on nothing: unpin. */
	override onTranslateEnd(_initial: TLCardShape, current: TLCardShape) {
		const editor = this.editor
		const bounds = editor.getShapePageBounds(current)
		if (!bounds) return
		const target = editor.getShapeAtPoint(bounds.center, { hitInside: true, filter: (s) => s.id !== current.id && s.type !== CARD_SHAPE_TYPE })
		const existing = editor.getBindingsFromShape(current, PIN_BINDING_TYPE)
		if (existing.length) editor.deleteBindings(existing)
		if (!target) return
		const targetBounds = editor.getShapePageBounds(target)!
		const anchor = {
			x: clamp01((bounds.center.x - targetBounds.minX) / (targetBounds.width || 1)),
			y: clamp01((bounds.center.y - targetBounds.minY) / (targetBounds.height || 1)),
		}
		editor.createBinding({ type: PIN_BINDING_TYPE, fromId: current.id, toId: target.id as TLShapeId, props: { anchor } })
	}
}

/** The toolbar's card tool: drag (or click) on the canvas to place a card. */
export class CardShapeTool extends BaseBoxShapeTool {
	static override id = CARD_SHAPE_TYPE
	static override initial = 'idle'
	override shapeType = CARD_SHAPE_TYPE as typeof CARD_SHAPE_TYPE
}

function clamp01(n: number) {
	return Math.min(1, Math.max(0, n))
}
