import { createBindingPropsMigrationSequence, vecModelValidator, type VecModel } from '@tldraw/tlschema'

/**
 * The worked example of a custom binding: pins a shape (usually a card) to another shape, so it follows
 * that shape when it moves. `anchor` is where on the target the pinned shape sits, normalised to 0…1.
 */
export const PIN_BINDING_TYPE = 'pin'

export interface PinBindingProps {
	anchor: VecModel
}

export const pinBindingProps = {
	anchor: vecModelValidator,
}

export function defaultPinBindingProps(): PinBindingProps {
	return { anchor: { x: 0.5, y: 0.5 } }
}

/** No migrations yet; the sequence exists so a later version of the pin can add steps (each with a `down`). */
export const pinBindingMigrations = createBindingPropsMigrationSequence({ sequence: [] })
