import type { SerializedSchema } from '@tldraw/store'
import type { TLRecord } from '@tldraw/tlschema'
import { describe, expect, it } from 'vitest'
import { cardShapeMigrations, defaultCardShapeProps, defaultPinBindingProps, schema } from '../../schema/index.ts'
import { parseTldrawImport } from '../../src/files/parseTldrawImport'
import { schema as schemaV1 } from '../fixtures/schemaV1.ts'
import { stockSchema } from '../helpers/tldrawClient.ts'

const CARD_SEQUENCE = 'com.tldraw.shape.card'

function card(props: object): Record<string, unknown> {
	return {
		id: 'shape:card1', typeName: 'shape', type: 'card', parentId: 'page:page', index: 'a1', x: 0, y: 0, rotation: 0,
		isLocked: false, opacity: 1, meta: {}, props,
	}
}

/** The deployment's serialized schema with the card sequence set back to `version`. */
function schemaAtCardVersion(version: number): SerializedSchema {
	const serialized = schema.serialize()
	return { ...serialized, sequences: { ...serialized.sequences, [CARD_SEQUENCE]: version } } as SerializedSchema
}

function validationPath(record: unknown): string {
	try {
		schema.types.shape.validate(record as never)
	} catch (err) {
		// tldraw's path starts with the record type and the shape type: ['shape', '(type = card)', 'props', …].
		return ((err as { path?: Array<string | number> }).path ?? []).slice(2).join('.')
	}
	return 'valid'
}

describe('schema/', () => {
	it('accepts the default card and the default shapes', () => {
		expect(validationPath(card(defaultCardShapeProps()))).toBe('valid')
		expect(schema.types.binding.validate({
			id: 'binding:b', typeName: 'binding', type: 'pin', fromId: 'shape:a', toId: 'shape:b', meta: {}, props: defaultPinBindingProps(),
		} as never)).toBeTruthy()
	})

	it.each([
		['title not a string', { title: 7 }, 'props.title'],
		['title too long', { title: 'x'.repeat(501) }, 'props.title'],
		['colour not a tldraw colour', { color: 'chartreuse' }, 'props.color'],
		['zero width', { w: 0 }, 'props.w'],
		['done missing', { done: undefined }, 'props.done'],
		['unknown prop', { extra: 1 }, 'props.extra'],
	])('refuses a card with %s at %s', (_what, over, path) => {
		expect(validationPath(card({ ...defaultCardShapeProps(), ...over }))).toBe(path)
	})

	it('migrates a v0 card up to v2 and back down step by step', () => {
		const v0 = card({ w: 100, h: 50, title: 'old' }) as unknown as TLRecord
		const up = schema.migratePersistedRecord(v0, schemaAtCardVersion(0), 'up')
		expect(up.type).toBe('success')
		const v2 = (up as { value: TLRecord & { props: object } }).value
		expect(v2.props).toEqual({ w: 100, h: 50, title: 'old', color: 'yellow', done: false })
		expect(validationPath(v2)).toBe('valid')

		const down = schema.migratePersistedRecord({ ...v2, props: { ...v2.props, done: true } } as TLRecord, schemaAtCardVersion(1), 'down')
		expect((down as { value: { props: object } }).value.props).toEqual({ w: 100, h: 50, title: 'old', color: 'yellow' })
	})

	it('gives every custom migration a down step, so older clients are served instead of refused', () => {
		for (const step of cardShapeMigrations.sequence) expect(typeof (step as { down?: unknown }).down, String((step as { id?: string }).id)).toBe('function')
		// A v1 client is migrated down, not refused: TLSyncRoom refuses only when a step lacks `down`.
		const since = schema.getMigrationsSince(schemaAtCardVersion(1))
		expect(since.ok && since.value.map((m) => [m.id, typeof m.down])).toEqual([['com.tldraw.shape.card/2', 'function']])
	})

	it('treats a stock tldraw client (no card, no pin) as an older client it can serve', () => {
		// The card's sequence is retroactive, so for a client that never heard of it the server plans every
		// card step, and connects it only because each step can run down (a stock client sees no cards anyway).
		const since = schema.getMigrationsSince(stockSchema.serialize())
		expect(since.ok && since.value.map((m) => [m.id, typeof m.down])).toEqual([
			['com.tldraw.shape.card/1', 'function'],
			['com.tldraw.shape.card/2', 'function'],
		])
	})

	// Duplicating a file (or one of its history versions) and importing a .tldr both go through
	// parseTldrawImport, so a document saved under v1 of the card opens under v2.
	it.each([
		['a v1 room snapshot (duplicate of an old version)', (card: object) => ({ documents: [{ state: card, lastChangedClock: 3 }], schema: schemaV1.serialize(), clock: 3 })],
		['a v1 .tldr file', (card: object) => ({ tldrawFileFormatVersion: 1, schema: schemaV1.serialize(), records: [card] })],
	])('imports %s under v2', (_name, wrap) => {
		const v1Card = card({ w: 10, h: 20, title: 'old', color: 'red' })
		const result = parseTldrawImport(wrap(v1Card))
		if (!result.ok) throw new Error(result.error)
		expect(result.snapshot.documents.map((d) => (d.state as unknown as { props: object }).props)).toEqual([{ w: 10, h: 20, title: 'old', color: 'red', done: false }])
		expect(result.snapshot.schema).toEqual(schema.serialize())
	})
})
