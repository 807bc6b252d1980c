/**
 * Custom shapes and bindings with real tldraw clients against the real worker (wrangler dev, on-disk state):
 * the example card shape and pin binding sync and survive a restart, old and new clients of the card edit
 * together, a stock tldraw client keeps working, and clients that know more than the server, or too little,
 * or push invalid records are refused with the reason tldraw's useSync shows.
 */
import { createTLSchema, defaultBindingSchemas, defaultShapeSchemas } from '@tldraw/tlschema'
import { T } from '@tldraw/validate'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { cardShapeMigrations, cardShapeProps, customBindingSchemas, customShapeSchemas, defaultCardShapeProps, schema } from '../../schema/index.ts'
import { schema as schemaV1 } from '../fixtures/schemaV1.ts'
import { apiClient, uniq } from '../helpers/api'
import { geoShape, ProtocolClient } from '../helpers/protocolClient'
import {
	connectClient,
	isConnected,
	makeCardShape,
	makeGeoShape,
	makePinBinding,
	recordOf,
	stockSchema,
	waitFor,
	waitForAcks,
	updateProps,
	type TestClient,
} from '../helpers/tldrawClient'
import { startWranglerDev, tempDir, type DevServer } from '../helpers/worker'

const state = tempDir('custom-shapes')
let dev: DevServer
const clients: TestClient[] = []
const api = apiClient(() => dev.url)

beforeAll(async () => {
	dev = await startWranglerDev({ persistTo: state.dir })
})

afterAll(async () => {
	for (const c of clients) c.close()
	await dev?.kill()
	state.remove()
})

function join(roomId: string, opts: Parameters<typeof connectClient>[1] = {}) {
	const c = connectClient(`${dev.url}/r/${roomId}`, opts)
	clients.push(c)
	return c
}

async function openProtocolClient(roomId: string) {
	const ws = new WebSocket(`${dev.url.replace('http', 'ws')}/r/${roomId}?sessionId=p-${uniq()}`)
	await new Promise((resolve, reject) => {
		ws.addEventListener('open', resolve, { once: true })
		ws.addEventListener('error', reject, { once: true })
	})
	return new ProtocolClient(ws as never)
}

type Card = { props: Record<string, unknown> }

/** A new room holding one acknowledged card `shape:<cardId>`, and the card client that put it there. */
async function roomWithCard(prefix: string, cardId: string, title: string) {
	const roomId = `${prefix}-${uniq()}`
	const client = join(roomId)
	await client.loaded
	client.store.put([makeCardShape(client.store, cardId, { ...defaultCardShapeProps(), title })])
	await waitForAcks(client)
	return { roomId, client }
}

it('syncs a card and a pin binding between clients, and both survive a restart of the worker', async () => {
	const roomId = `cards-${uniq()}`
	const a = join(roomId)
	const b = join(roomId)
	await Promise.all([a.loaded, b.loaded])
	a.store.put([
		makeGeoShape(a.store, 'board', 0, 0),
		makeCardShape(a.store, 'todo', { ...defaultCardShapeProps(), title: 'Write the README', color: 'blue' }, 20, 20),
	])
	a.store.put([makePinBinding('todo-on-board', 'shape:todo', 'shape:board', { x: 0.2, y: 0.3 })])
	await waitFor(() => recordOf(b, 'binding:todo-on-board') !== undefined, 'the pin on the second client')
	expect(recordOf<Card>(b, 'shape:todo')?.props).toEqual({ w: 240, h: 140, title: 'Write the README', color: 'blue', done: false })
	expect(recordOf(b, 'binding:todo-on-board')).toMatchObject({ type: 'pin', fromId: 'shape:todo', toId: 'shape:board', props: { anchor: { x: 0.2, y: 0.3 } } })

	updateProps(b, 'shape:todo', { done: true })
	await waitFor(() => recordOf<Card>(a, 'shape:todo')?.props.done === true, 'the tick on the first client')
	await Promise.all([waitForAcks(a), waitForAcks(b)])
	a.close()
	b.close()

	await dev.kill('SIGKILL')
	dev = await startWranglerDev({ persistTo: state.dir })
	const c = join(roomId)
	await c.loaded
	expect(recordOf<Card>(c, 'shape:todo')?.props).toEqual({ w: 240, h: 140, title: 'Write the README', color: 'blue', done: true })
	expect(recordOf(c, 'binding:todo-on-board')).toMatchObject({ type: 'pin', fromId: 'shape:todo', toId: 'shape:board' })
})

it('lets a client with v1 of the card and a client with v2 edit the same cards', async () => {
	const roomId = `versions-${uniq()}`
	const v1 = join(roomId, { schema: schemaV1 })
	const v2 = join(roomId)
	await Promise.all([v1.loaded, v2.loaded])

	// The v1 client's card reaches the v2 client migrated up (done: false) …
	v1.store.put([makeCardShape(v1.store, 'old', { w: 200, h: 100, title: 'from v1', color: 'green' })])
	await waitFor(() => recordOf(v2, 'shape:old') !== undefined, 'the v1 card on the v2 client')
	expect(recordOf<Card>(v2, 'shape:old')?.props).toEqual({ w: 200, h: 100, title: 'from v1', color: 'green', done: false })

	// … and the v2 client's card reaches the v1 client migrated down (no `done`).
	v2.store.put([makeCardShape(v2.store, 'new', { ...defaultCardShapeProps(), title: 'from v2', done: true })])
	await waitFor(() => recordOf(v1, 'shape:new') !== undefined, 'the v2 card on the v1 client')
	expect(recordOf<Card>(v1, 'shape:new')?.props).toEqual({ w: 240, h: 140, title: 'from v2', color: 'yellow' })

	// Edits cross in both directions.
	updateProps(v1, 'shape:new', { title: 'renamed by v1' })
	await waitFor(() => recordOf<Card>(v2, 'shape:new')?.props.title === 'renamed by v1', 'the v1 rename on the v2 client')
	updateProps(v2, 'shape:old', { title: 'renamed by v2', done: true })
	await waitFor(() => recordOf<Card>(v1, 'shape:old')?.props.title === 'renamed by v2', 'the v2 rename on the v1 client')
	expect(recordOf<Card>(v1, 'shape:old')?.props).not.toHaveProperty('done')

	// tldraw applies an old client's patch to the record migrated down, then migrates it up again, so a
	// field the old client cannot see returns to its default (README "Add a custom shape" says so).
	expect(recordOf<Card>(v2, 'shape:new')?.props.done).toBe(false)
	await Promise.all([waitForAcks(v1), waitForAcks(v2)])
	expect(isConnected(v1) && isConnected(v2)).toBe(true)
})

it('keeps a stock tldraw client (default schema, no card or pin) working in a room without custom records', async () => {
	const roomId = `stock-${uniq()}`
	const stock = join(roomId, { schema: stockSchema })
	const ours = join(roomId)
	await Promise.all([stock.loaded, ours.loaded])
	stock.store.put([makeGeoShape(stock.store, 'from-stock', 1, 1)])
	ours.store.put([makeGeoShape(ours.store, 'from-ours', 2, 2)])
	await waitFor(() => recordOf(stock, 'shape:from-ours') !== undefined && recordOf(ours, 'shape:from-stock') !== undefined, 'both shapes on both clients')
	await waitForAcks(stock)
	expect(isConnected(stock)).toBe(true)
})

it('closes a stock client with CLIENT_TOO_OLD at connect to a room that holds a card; its store never receives the card', async () => {
	const { roomId, client: ours } = await roomWithCard('stock-cards', 'held', 'already here')

	const stock = join(roomId, { schema: stockSchema })
	expect(await stock.syncError).toBe('CLIENT_TOO_OLD')
	expect(stock.resets()).toBe(0) // it never failed to apply what it was sent
	expect(recordOf(stock, 'shape:held')).toBeUndefined()
	expect(stock.store.allRecords().filter((r) => r.typeName === 'shape')).toEqual([])
	await waitFor(() => dev.output().includes('CLIENT_TOO_OLD: the client lacks shape/card, binding/pin; the room holds shape/card'), 'the log line')

	// The room is unharmed: the card client keeps editing, and a new card client sees the card.
	updateProps(ours, 'shape:held', { done: true })
	await waitForAcks(ours)
	const later = join(roomId)
	await later.loaded
	expect(recordOf<Card>(later, 'shape:held')?.props).toMatchObject({ title: 'already here', done: true })
})

it('keeps a stock client syncing until a card client adds a card, then closes it with CLIENT_TOO_OLD before the card reaches it', async () => {
	const roomId = `stock-then-card-${uniq()}`
	const stock = join(roomId, { schema: stockSchema })
	const writer = join(roomId)
	const watcher = join(roomId)
	await Promise.all([stock.loaded, writer.loaded, watcher.loaded])
	let stockError: string | null = null
	void stock.syncError.then((reason) => (stockError = reason))

	// Plain shapes cross both ways while no card exists.
	stock.store.put([makeGeoShape(stock.store, 'from-stock', 1, 1)])
	writer.store.put([makeGeoShape(writer.store, 'from-writer', 2, 2)])
	await waitFor(() => recordOf(stock, 'shape:from-writer') !== undefined && recordOf(writer, 'shape:from-stock') !== undefined, 'both shapes on both clients')
	await waitForAcks(stock)
	expect(isConnected(stock)).toBe(true)
	expect(stockError).toBeNull()

	writer.store.put([makeCardShape(writer.store, 'new-card', { ...defaultCardShapeProps(), title: 'stock cannot draw this' })])
	expect(await stock.syncError).toBe('CLIENT_TOO_OLD')
	expect(stock.resets()).toBe(0) // closed before the card was sent, not crashed by it
	await waitForAcks(writer)
	await waitFor(() => recordOf(watcher, 'shape:new-card') !== undefined, 'the card on the second card client')
	expect(recordOf<Card>(watcher, 'shape:new-card')?.props.title).toBe('stock cannot draw this')
	expect(recordOf(stock, 'shape:new-card')).toBeUndefined()
	expect(isConnected(writer) && isConnected(watcher)).toBe(true)
	await waitFor(() => dev.output().includes('CLIENT_TOO_OLD: closed 1 session lacking shape/card before a push brought it'), 'the log line')

	// A stock client that comes back is refused at connect now that the room holds a card.
	const again = join(roomId, { schema: stockSchema })
	expect(await again.syncError).toBe('CLIENT_TOO_OLD')
})

it('closes a stock client with CLIENT_TOO_OLD before a restore brings a card back, and the restore reaches everyone else', async () => {
	const { roomId, client: first } = await roomWithCard('stock-restore', 'old-card', 'from the past')
	first.close() // the last session left: the room exports a version with the card
	const withCard = await waitFor(async () => {
		const versions: Array<{ version: string }> = (await api('GET', `/r/${roomId}/history`)).body.versions
		return versions[0]
	}, 'a version holding the card')

	const ours = join(roomId)
	await ours.loaded
	ours.store.remove(['shape:old-card' as never])
	await waitForAcks(ours)
	const stock = join(roomId, { schema: stockSchema })
	await stock.loaded
	stock.store.put([makeGeoShape(stock.store, 'stock-geo')])
	await waitForAcks(stock)

	expect((await api('POST', `/r/${roomId}/history/${withCard.version}/restore`)).status).toBe(200)
	expect(await stock.syncError).toBe('CLIENT_TOO_OLD')
	expect(stock.resets()).toBe(0)
	await waitFor(() => recordOf(ours, 'shape:old-card') !== undefined, 'the restored card on the card client')
	expect(recordOf(stock, 'shape:old-card')).toBeUndefined()
	await waitFor(() => dev.output().includes('CLIENT_TOO_OLD: closed 1 session lacking shape/card before a restore brought it'), 'the log line')
})

it('refuses a client that knows a shape type the server lacks with SERVER_TOO_OLD, at connect', async () => {
	// Someone else's build: our schema plus a "kanban" shape this deployment has not been given yet.
	const ahead = createTLSchema({
		shapes: { ...defaultShapeSchemas, ...customShapeSchemas, kanban: { props: { w: T.number, h: T.number } } },
		bindings: { ...defaultBindingSchemas, ...customBindingSchemas },
	})
	const c = join(`ahead-${uniq()}`, { schema: ahead })
	expect(await c.syncError).toBe('SERVER_TOO_OLD')
	await waitFor(() => dev.output().includes("SERVER_TOO_OLD: client knows com.tldraw.shape.kanban, which this server's schema lacks"), 'the log line')
})

it('refuses a client with a newer card (v3) with SERVER_TOO_OLD and one too old to migrate down to with CLIENT_TOO_OLD', async () => {
	const v3 = createTLSchema({
		shapes: {
			...defaultShapeSchemas,
			card: {
				props: { ...cardShapeProps, dueDate: T.string.nullable() },
				migrations: { sequence: [...cardShapeMigrations.sequence, { id: 'com.tldraw.shape.card/3', up: (p: object) => ({ ...p, dueDate: null }), down: ({ dueDate: _d, ...p }: { dueDate?: unknown }) => p }] },
			},
		},
		bindings: { ...defaultBindingSchemas, ...customBindingSchemas },
	})
	const newer = join(`newer-${uniq()}`, { schema: v3 })
	expect(await newer.syncError).toBe('SERVER_TOO_OLD')

	// geo's step 2 has no `down`, so nothing can be served to a client still at geo 1.
	const old = await openProtocolClient(`old-${uniq()}`)
	const serialized = schema.serialize()
	await expect(old.connect(-1, { ...serialized, sequences: { ...serialized.sequences, 'com.tldraw.shape.geo': 1 } })).rejects.toThrow(/CLIENT_TOO_OLD/)
	expect(old.closed).toEqual({ code: 4099, reason: 'CLIENT_TOO_OLD' })
})

it('closes a push with an invalid card or an unknown shape type with INVALID_RECORD, logging type and property but not the content', async () => {
	const roomId = `invalid-${uniq()}`
	const writer = await openProtocolClient(roomId)
	await writer.connect()
	expect((await writer.putRecord(geoShape('fine'))).action).toBe('commit')
	const secret = 'SECRET-TITLE-'.repeat(50) // 650 characters: over the card's 500
	const card = { ...geoShape('bad-card'), type: 'card', props: { ...defaultCardShapeProps(), title: secret } }
	await expect(writer.putRecord(card as { id: string })).rejects.toThrow(/INVALID_RECORD/)
	expect(writer.closed).toEqual({ code: 4099, reason: 'INVALID_RECORD' })
	await waitFor(() => dev.output().includes('INVALID_RECORD: shape(type=card) failed validation at props.title'), 'the log line')
	expect(dev.output()).not.toContain('SECRET-TITLE')

	// A client that claims this server's schema but pushes a shape type it does not have: tldraw's room
	// validates the record against the shape union, which has no such member, so this is INVALID_RECORD.
	const other = await openProtocolClient(roomId)
	await other.connect()
	await expect(other.putRecord({ ...geoShape('kanban'), type: 'kanban', props: { w: 1, h: 1 } } as { id: string })).rejects.toThrow(/INVALID_RECORD/)
	await waitFor(() => dev.output().includes('INVALID_RECORD: shape(type=kanban) failed validation at type'), 'the log line')

	// The room itself is unharmed.
	const reader = join(roomId)
	await reader.loaded
	expect(recordOf(reader, 'shape:fine')).toBeDefined()
	expect(recordOf(reader, 'shape:bad-card')).toBeUndefined()
})

it('closes a real client whose card validators are looser than the server\'s with INVALID_RECORD, and keeps the room clean', async () => {
	// A client build that forgot the title length cap: its own store accepts what the server refuses.
	const loose = createTLSchema({
		shapes: { ...defaultShapeSchemas, card: { props: { ...cardShapeProps, title: T.string }, migrations: cardShapeMigrations } },
		bindings: { ...defaultBindingSchemas, ...customBindingSchemas },
	})
	const roomId = `loose-${uniq()}`
	const sloppy = join(roomId, { schema: loose })
	const careful = join(roomId)
	await Promise.all([sloppy.loaded, careful.loaded])
	const logged = () => dev.output().split('INVALID_RECORD: shape(type=card) failed validation at props.title').length - 1
	const loggedBefore = logged()
	sloppy.store.put([makeCardShape(sloppy.store, 'long', { ...defaultCardShapeProps(), title: 'PRIVATE '.repeat(100) })])
	expect(await sloppy.syncError).toBe('INVALID_RECORD')
	await waitFor(() => logged() > loggedBefore, 'a new log line for this push')
	expect(dev.output()).not.toContain('PRIVATE')
	careful.store.put([makeGeoShape(careful.store, 'after')])
	await waitForAcks(careful)
	expect(recordOf(careful, 'shape:long')).toBeUndefined()
})

