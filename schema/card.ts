import {
	createShapePropsMigrationIds,
	createShapePropsMigrationSequence,
	DefaultColorStyle,
	type TLDefaultColorStyle,
} from '@tldraw/tlschema'
import { T } from '@tldraw/validate'

/**
 * The worked example of a custom shape: a card with a title, a colour and (since v2) a "done" tick.
 * Copy this file to add your own shape (README "Add a custom shape").
 */
export const CARD_SHAPE_TYPE = 'card'

export interface CardShapeProps {
	w: number
	h: number
	title: string
	/** Added in v1. A tldraw style prop, so the style panel and "same colour as last time" work. */
	color: TLDefaultColorStyle
	/** Added in v2. */
	done: boolean
}

export const CARD_TITLE_MAX_LENGTH = 500

/** Validators the server and every client run on each card (a failure closes the pushing socket with INVALID_RECORD). */
export const cardShapeProps = {
	w: T.nonZeroNumber,
	h: T.nonZeroNumber,
	title: T.string.check((value) => {
		if (value.length > CARD_TITLE_MAX_LENGTH) throw new Error(`at most ${CARD_TITLE_MAX_LENGTH} characters`)
	}),
	color: DefaultColorStyle,
	done: T.boolean,
}

/** What a new card holds (the client's ShapeUtil.getDefaultProps returns this). */
export function defaultCardShapeProps(): CardShapeProps {
	return { w: 240, h: 140, title: '', color: 'yellow', done: false }
}

export const cardShapeVersions = createShapePropsMigrationIds(CARD_SHAPE_TYPE, {
	AddColor: 1,
	AddDone: 2,
})

/**
 * Every step has a `down`: a client still running an older version of the card is served records
 * migrated down to its version, and tldraw refuses (CLIENT_TOO_OLD) any client it cannot migrate down to.
 * Append new steps; never edit or remove a deployed one.
 */
export const cardShapeMigrations = createShapePropsMigrationSequence({
	sequence: [
		{
			id: cardShapeVersions.AddColor,
			up: (props: Record<string, unknown>) => ({ ...props, color: 'yellow' }),
			down: ({ color: _color, ...props }: Record<string, unknown>) => props,
		},
		{
			id: cardShapeVersions.AddDone,
			up: (props: Record<string, unknown>) => ({ ...props, done: false }),
			down: ({ done: _done, ...props }: Record<string, unknown>) => props,
		},
	],
})
