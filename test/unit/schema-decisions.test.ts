import { describe, expect, it } from 'vitest'
import { defaultCardShapeProps, schema } from '../../schema/index.ts'
import { decideClientSchema } from '../../src/room/decideClientSchema'
import { describeInvalidRecord, formatInvalidRecord, watchRecordValidation, type InvalidRecord } from '../../src/room/describeInvalidRecord'
import { SessionGate } from '../../src/room/SessionGate'
import { schema as schemaV1 } from '../fixtures/schemaV1.ts'
import { stockSchema } from '../helpers/tldrawClient.ts'

const server = schema.serialize()
const withSequences = (extra: Record<string, number>) => ({ ...server, sequences: { ...server.sequences, ...extra } })

describe('decideClientSchema', () => {
	it.each([
		['the same schema', server, 'accept'],
		['a stock tldraw client (no card, no pin)', stockSchema.serialize(), 'accept'],
		['a v1 card client', schemaV1.serialize(), 'accept'],
		['a legacy v1 serialized schema (tldraw migrates it)', { schemaVersion: 1, storeVersion: 4, recordVersions: {} }, 'accept'],
		['no schema (tldraw answers CLIENT_TOO_OLD)', undefined, 'accept'],
		['a shape the server lacks', withSequences({ 'com.tldraw.shape.kanban': 0 }), 'server-too-old'],
		['a binding the server lacks', withSequences({ 'com.tldraw.binding.rope': 1 }), 'server-too-old'],
		['a newer card', withSequences({ 'com.tldraw.shape.card': 3 }), 'server-too-old'],
	])('%s → %s', (_name, client, kind) => {
		expect(decideClientSchema(client, server).kind).toBe(kind)
	})

	it('names the sequence in the detail (for the log)', () => {
		expect(decideClientSchema(withSequences({ 'com.tldraw.shape.kanban': 0 }), server)).toEqual({
			kind: 'server-too-old',
			detail: "client knows com.tldraw.shape.kanban, which this server's schema lacks",
		})
	})

	it('SessionGate refuses a connect that knows more than the server with SERVER_TOO_OLD', () => {
		const gate = new SessionGate({ maxMessageBytes: 1_000_000, maxPushesPerSecond: 10, pushBurst: 10 }, server)
		const connect = (schema: unknown) => JSON.stringify({ type: 'connect', connectRequestId: 'c', lastServerClock: 0, protocolVersion: 8, schema })
		expect(gate.check('s1', connect(server), { connected: false })).toMatchObject({ kind: 'accept' })
		expect(gate.check('s2', connect(withSequences({ 'com.tldraw.shape.kanban': 0 })), { connected: false })).toMatchObject({
			kind: 'reject',
			code: 4099,
			reason: 'SERVER_TOO_OLD',
		})
	})
})

const card = (props: object) => ({
	id: 'shape:c', typeName: 'shape', type: 'card', parentId: 'page:p', index: 'a1', x: 0, y: 0, rotation: 0, isLocked: false, opacity: 1, meta: {}, props,
})

function failureOf(record: unknown): InvalidRecord {
	try {
		schema.types.shape.validate(record as never)
	} catch (err) {
		return describeInvalidRecord(err, record)
	}
	throw new Error('expected a validation failure')
}

describe('describeInvalidRecord', () => {
	it.each([
		['a card title of the wrong type', card({ ...defaultCardShapeProps(), title: 42 }), { typeName: 'shape', type: 'card', path: 'props.title' }],
		['a card colour that is no tldraw colour', card({ ...defaultCardShapeProps(), color: 'secret-value' }), { typeName: 'shape', type: 'card', path: 'props.color' }],
		['a shape type the schema lacks', { ...card(defaultCardShapeProps()), type: 'kanban' }, { typeName: 'shape', type: 'kanban', path: 'type' }],
	])('locates %s', (_name, record, expected) => {
		const failure = failureOf(record)
		expect(failure).toEqual(expected)
		expect(formatInvalidRecord(failure)).not.toContain('secret-value')
	})

	it('watchRecordValidation reports each failure and still throws', () => {
		const seen: InvalidRecord[] = []
		watchRecordValidation(schema, (f) => seen.push(f))
		expect(() => schema.types.shape.validate(card({ ...defaultCardShapeProps(), w: -1 }) as never)).toThrow()
		expect(schema.types.shape.validate(card(defaultCardShapeProps()) as never)).toBeTruthy()
		expect(seen).toEqual([{ typeName: 'shape', type: 'card', path: 'props.w' }])
	})
})
