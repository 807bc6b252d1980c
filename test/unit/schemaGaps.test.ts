/**
 * Clients that lack a shape or binding type of the server's schema (a stock tldraw client has no card):
 * which types they lack (lackingRecordKinds), which types a change brings (recordKinds), and SchemaGaps'
 * bookkeeping over the room's sockets (refuse at connect, close before a change, rebuilt after a wake).
 */
import { describe, expect, it, vi } from 'vitest'
import { schema } from '../../schema/index.ts'
import type { ClientMessage } from '../../src/room/clientMessageSchema'
import { lackingRecordKinds } from '../../src/room/decideClientSchema'
import { kindsOfPush, kindsOfRecords, recordKind } from '../../src/room/recordKinds'
import { SchemaGaps } from '../../src/room/SchemaGaps'
import type { Attachment } from '../../src/room/socketAttachment'
import { schema as schemaV1 } from '../fixtures/schemaV1.ts'
import { FakeRoomSocket as FakeSocket } from '../fakes/FakeRoomSocket'
import { stockSchema } from '../helpers/tldrawClient.ts'

const server = schema.serialize()
type Diff = Extract<ClientMessage, { type: 'push' }>['diff']
const without = (...sequenceIds: string[]) => ({
	...server,
	sequences: Object.fromEntries(Object.entries(server.sequences).filter(([id]) => !sequenceIds.includes(id))),
})

describe('lackingRecordKinds', () => {
	it.each([
		['the same schema', server, []],
		['a stock tldraw client (no card, no pin)', stockSchema.serialize(), ['shape/card', 'binding/pin']],
		['a v1 card client (an older version is migrated down, not lacking)', schemaV1.serialize(), []],
		['a client without the pin only', without('com.tldraw.binding.pin'), ['binding/pin']],
		['a client without a default shape', without('com.tldraw.shape.geo'), ['shape/geo']],
		['a client without a record type sequence (not a shape or binding)', without('com.tldraw.document'), []],
		['a client that knows more (SERVER_TOO_OLD is decided elsewhere)', { ...server, sequences: { ...server.sequences, 'com.tldraw.shape.kanban': 0 } }, []],
		['a legacy v1 serialized schema (tldraw judges it)', { schemaVersion: 1, storeVersion: 4, recordVersions: {} }, []],
		['no schema', undefined, []],
		['sequences that are not an object', { schemaVersion: 2, sequences: [] }, []],
	])('%s → %j', (_name, client, lacking) => {
		expect(lackingRecordKinds(client, server)).toEqual(lacking)
	})
})

const card = { id: 'shape:c', typeName: 'shape', type: 'card', props: {} }
const geo = { id: 'shape:g', typeName: 'shape', type: 'geo', props: {} }
const pin = { id: 'binding:p', typeName: 'binding', type: 'pin', props: {} }
const page = { id: 'page:p', typeName: 'page', name: 'Page 1' }

describe('recordKind / kindsOfRecords / kindsOfPush', () => {
	it.each([
		['a card', card, 'shape/card'],
		['a pin', pin, 'binding/pin'],
		['a page (no type)', page, null],
		['a record whose type is not a string', { typeName: 'shape', type: 1 }, null],
		['an instance record with a type prop', { typeName: 'instance', type: 'card' }, null],
		['not a record', 'shape/card', null],
	])('recordKind of %s → %s', (_name, record, kind) => {
		expect(recordKind(record)).toBe(kind)
	})

	it('kindsOfRecords collects each kind once', () => {
		expect([...kindsOfRecords([card, geo, { ...card, id: 'shape:d' }, page, pin])]).toEqual(['shape/card', 'shape/geo', 'binding/pin'])
	})

	it.each<[string, Diff, string[]]>([
		['no diff (a presence-only push)', undefined, []],
		['a put card', { 'shape:c': ['put', card] }, ['shape/card']],
		['a put geo and a put pin', { 'shape:g': ['put', geo], 'binding:p': ['put', pin] }, ['shape/geo', 'binding/pin']],
		['a patch that moves a card (no type change)', { 'shape:c': ['patch', { x: ['put', 10] }] }, []],
		['a patch that turns a geo into a card', { 'shape:g': ['patch', { type: ['put', 'card'] }] }, ['shape/card']],
		['a patch of a non-shape record setting `type`', { 'instance:i': ['patch', { type: ['put', 'card'] }] }, []],
		['a patch on an id without a prefix', { shapes: ['patch', { type: ['put', 'card'] }] }, []],
		['a removal', { 'shape:c': ['remove'] }, []],
	])('kindsOfPush: %s → %j', (_name, diff, kinds) => {
		expect([...kindsOfPush(diff)]).toEqual(kinds)
	})
})

const STOCK_LACKS = ['shape/card', 'binding/pin']
const attachment = (sessionId: string, lacks?: string[]): Attachment => ({ sessionId, isReadonly: false, userId: null, connected: true, ...(lacks && { lacks }) })
const push = (diff: Diff): ClientMessage => ({ type: 'push', clientClock: 1, diff })

function roomWith(sockets: FakeSocket[], held: string[] = []) {
	const queries: unknown[][] = []
	const sql = {
		exec: (_query: string, ...bindings: unknown[]) => {
			queries.push(bindings)
			return { toArray: () => held.filter((kind) => bindings.includes(kind)).map((kind) => ({ kind })) }
		},
	}
	const ctx = { getWebSockets: (tag?: string) => sockets.filter((s) => tag === undefined || s.tag === tag), storage: { sql } } as unknown as DurableObjectState
	const room = { closeSession: vi.fn() }
	const ended: Attachment[] = []
	const logged: string[] = []
	const gaps = new SchemaGaps(ctx, server, (s) => ended.push(s), (line) => logged.push(line))
	return { gaps, room: room as never as Parameters<SchemaGaps['allows']>[2], closeSession: room.closeSession, ended, logged, queries }
}

describe('SchemaGaps', () => {
	it('never queries the room for a client with the full schema, and costs nothing on pushes while no session lacks a kind', () => {
		const ours = new FakeSocket('ours', attachment('ours'))
		const r = roomWith([ours], ['shape/card'])
		expect(r.gaps.lacks(server)).toBeUndefined()
		expect(r.gaps.allows(attachment('ours'), { type: 'connect' } as ClientMessage, r.room)).toBe(true)
		const kindsOf = vi.fn(() => new Set(['shape/card']))
		r.gaps.closeLacking(r.room, 'a restore', kindsOf)
		expect(r.gaps.allows(attachment('ours'), push({ 'shape:c': ['put', card] }), r.room)).toBe(true)
		expect(r.queries).toEqual([])
		expect(kindsOf).not.toHaveBeenCalled()
	})

	it('refuses a connect lacking a kind the room holds (one query, one log line) and admits one lacking only kinds it does not hold', () => {
		const r = roomWith([], ['shape/card'])
		expect(r.gaps.lacks(stockSchema.serialize())).toEqual(STOCK_LACKS)
		expect(r.gaps.allows(attachment('stock', STOCK_LACKS), { type: 'connect' } as ClientMessage, r.room)).toBe(false)
		expect(r.queries).toEqual([STOCK_LACKS])
		expect(r.logged).toEqual(['CLIENT_TOO_OLD: the client lacks shape/card, binding/pin; the room holds shape/card'])
		expect(r.gaps.allows(attachment('no-pin', ['binding/pin']), { type: 'connect' } as ClientMessage, r.room)).toBe(true)
	})

	it('closes only the sessions lacking what a push brings, before it is applied, and withdraws their sockets', () => {
		const sockets = [new FakeSocket('stock', null), new FakeSocket('no-pin', null), new FakeSocket('ours', attachment('ours'))]
		const r = roomWith(sockets)
		for (const [socket, lacks] of [[sockets[0]!, STOCK_LACKS], [sockets[1]!, ['binding/pin']]] as const) {
			socket.serializeAttachment(attachment(socket.tag, [...lacks]))
			expect(r.gaps.allows(attachment(socket.tag, [...lacks]), { type: 'connect' } as ClientMessage, r.room)).toBe(true)
		}
		// A geo brings nothing anyone lacks.
		expect(r.gaps.allows(attachment('ours'), push({ 'shape:g': ['put', geo] }), r.room)).toBe(true)
		expect(sockets.map((s) => s.closed)).toEqual([null, null, null])

		expect(r.gaps.allows(attachment('ours'), push({ 'shape:c': ['put', card] }), r.room)).toBe(true)
		expect(sockets[0]!.closed).toEqual({ code: 4099, reason: 'CLIENT_TOO_OLD' })
		expect(sockets[0]!.deserializeAttachment()).toBeNull()
		expect(r.closeSession).toHaveBeenCalledWith('stock', 'CLIENT_TOO_OLD')
		expect(r.ended.map((s) => s.sessionId)).toEqual(['stock'])
		expect(sockets[1]!.closed).toBeNull()
		expect(r.logged).toEqual(['CLIENT_TOO_OLD: closed 1 session lacking shape/card before a push brought it'])

		// The closed session is forgotten; the pin still closes the other one.
		r.gaps.closeLacking(r.room, 'a records-API put', () => kindsOfRecords([card, pin]))
		expect(sockets[1]!.closed).toEqual({ code: 4099, reason: 'CLIENT_TOO_OLD' })
		expect(r.ended.map((s) => s.sessionId)).toEqual(['stock', 'no-pin'])
		expect(r.logged.at(-1)).toBe('CLIENT_TOO_OLD: closed 1 session lacking binding/pin before a records-API put brought it')
	})

	it('refuses a push of a kind the pusher itself lacks, closing nobody else', () => {
		const sockets = [new FakeSocket('stock-a', attachment('stock-a', STOCK_LACKS)), new FakeSocket('stock-b', attachment('stock-b', STOCK_LACKS))]
		const r = roomWith(sockets)
		expect(r.gaps.allows(attachment('stock-a', STOCK_LACKS), push({ 'shape:c': ['put', card] }), r.room)).toBe(false)
		expect(sockets.map((s) => s.closed)).toEqual([null, null])
	})

	it('after a wake, rebuilds the lacking sessions from the open sockets\' attachments (old attachments have no `lacks`)', () => {
		const stock = new FakeSocket('stock', attachment('stock', STOCK_LACKS))
		const closedStock = new FakeSocket('gone', attachment('gone', STOCK_LACKS))
		closedStock.readyState = WebSocket.CLOSED
		const old = new FakeSocket('old', { sessionId: 'old', isReadonly: false, userId: null, connected: true })
		const r = roomWith([stock, closedStock, old])
		r.gaps.closeLacking(r.room, 'a restore', () => new Set(['shape/card']))
		expect(stock.closed).toEqual({ code: 4099, reason: 'CLIENT_TOO_OLD' })
		expect(old.closed).toBeNull()
		expect(r.ended.map((s) => s.sessionId)).toEqual(['stock'])
	})

	it('forgets a session that ended, so later changes close nobody', () => {
		const stock = new FakeSocket('stock', attachment('stock', STOCK_LACKS))
		const r = roomWith([stock])
		r.gaps.closeLacking(r.room, 'a restore', () => new Set(['shape/geo'])) // rebuilt from the attachments; nobody lacks a geo
		r.gaps.forget('stock')
		r.gaps.closeLacking(r.room, 'a restore', () => new Set(['shape/card']))
		expect(stock.closed).toBeNull()
		expect(r.logged).toEqual([])
	})
})
