/**
 * The room Durable Object inside real workerd: hibernation, alarm export to R2 with history, cold start
 * from R2, exact limits, and frame checks. Limits come from vitest.config.ts (3 sessions, 64 KiB messages).
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { anonymousRoomAddress } from '../../src/room/RoomAddress'
import { roomStub as roomStubOf } from '../../src/stubs'
import { geoShape, ProtocolClient } from '../helpers/protocolClient'
import { waitFor } from '../helpers/waitFor'

let counter = 0
function newRoomId(prefix: string) {
	return `${prefix}-${Date.now().toString(36)}-${++counter}`
}

function roomStub(roomId: string) {
	return roomStubOf(env, anonymousRoomAddress(roomId).roomKey)
}

async function openSocket(path: string, sessionId = `s-${Math.random().toString(36).slice(2)}`) {
	const res = await SELF.fetch(`http://localhost${path}?sessionId=${sessionId}`, { headers: { Upgrade: 'websocket' } })
	expect(res.status).toBe(101)
	const ws = res.webSocket!
	ws.accept()
	return new ProtocolClient(ws as never)
}

async function joinRoom(roomId: string) {
	const client = await openSocket(`/r/${roomId}`)
	await client.connect()
	return client
}

async function listHistory(roomId: string) {
	const listed = await env.ROOM_HISTORY.list({ prefix: `room/${roomId}/` })
	return listed.objects.map((o) => o.key)
}

async function versionRows(roomId: string) {
	return runInDurableObject(roomStub(roomId), (_instance, state) =>
		state.storage.sql.exec<{ clock: number; history_key: string }>('SELECT clock, history_key FROM sw_versions ORDER BY id').toArray(),
	)
}

/** The room's `latest` object: the chain manifest naming the newest version's objects. */
async function latestChain(roomId: string) {
	const latest = await env.ROOMS.get(`room/${roomId}`)
	expect(latest).not.toBeNull()
	return ((await latest!.json()) as { kind: string; versions: string[] })
}

async function historyObject(key: string) {
	return (await (await env.ROOM_HISTORY.get(key))!.json()) as {
		kind?: string
		documents?: Array<{ state: { id: string; x?: number } }>
		puts?: Array<{ state: { id: string; x?: number } }>
		removes?: string[]
	}
}

describe('export to R2', () => {
	it('writes a checkpoint, then change sets holding only what changed, and skips unchanged content', async () => {
		const roomId = newRoomId('export')
		const client = await joinRoom(roomId)
		const result = await client.putRecord(geoShape('a', 10, 20))
		expect(result.action).toBe('commit')

		expect(await runDurableObjectAlarm(roomStub(roomId))).toBe(true)
		const history = await listHistory(roomId)
		expect(history).toHaveLength(1)
		expect(history[0]).toMatch(new RegExp(`^room/${roomId}/\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$`))
		const checkpoint = await historyObject(history[0]!)
		expect(checkpoint.kind).toBeUndefined()
		expect(checkpoint.documents!.find((d) => d.state.id === 'shape:a')?.state.x).toBe(10)
		expect((await latestChain(roomId)).versions).toEqual(history)
		const rows = await versionRows(roomId)
		expect(rows.map((r) => r.history_key)).toEqual(history)

		// No change since: the alarm (if any) writes nothing new.
		await runDurableObjectAlarm(roomStub(roomId))
		expect(await listHistory(roomId)).toHaveLength(1)

		// A change makes a second version: a change set with just that record, chained after the checkpoint.
		await client.patchRecord('shape:a', 'x', 99)
		expect(await runDurableObjectAlarm(roomStub(roomId))).toBe(true)
		const history2 = await listHistory(roomId)
		expect(history2).toHaveLength(2)
		const changes = await historyObject(history2[1]!)
		expect(changes.kind).toBe('changes')
		expect(changes.puts!.map((p) => [p.state.id, p.state.x])).toEqual([['shape:a', 99]])
		expect((await latestChain(roomId)).versions).toEqual(history2)
		const rows2 = await versionRows(roomId)
		expect(rows2[1]!.clock).toBeGreaterThan(rows2[0]!.clock)
		client.socket.close(1000, 'done')
	})

	it('schedules the export alarm when the document changes, not while it is idle', async () => {
		const roomId = newRoomId('alarm')
		const client = await joinRoom(roomId)
		const before = await runInDurableObject(roomStub(roomId), (_i, state) => state.storage.getAlarm())
		expect(before).toBeNull()
		await client.putRecord(geoShape('b'))
		const after = await runInDurableObject(roomStub(roomId), (_i, state) => state.storage.getAlarm())
		expect(after).not.toBeNull()
		client.socket.close(1000, 'done')
	})

	it('keeps the room working when R2 fails, and retries with backoff until it succeeds', async () => {
		const roomId = newRoomId('r2fail')
		const client = await joinRoom(roomId)
		await client.putRecord(geoShape('c'))
		// Swap the room's snapshot store for one that fails, as an R2 outage would.
		// (The history's store is the room's R2 adapter; replacing its putVersion simulates the outage.)
		type Inst = { history: { deps: { snapshots: { putVersion: (...a: unknown[]) => Promise<unknown> } } }; realPut?: unknown }
		await runInDurableObject(roomStub(roomId), (instance) => {
			const inst = instance as unknown as Inst
			inst.realPut = inst.history.deps.snapshots.putVersion
			inst.history.deps.snapshots = { ...inst.history.deps.snapshots, putVersion: () => Promise.reject(new Error('R2 is down')) }
		})
		await runDurableObjectAlarm(roomStub(roomId))
		expect(await listHistory(roomId)).toHaveLength(0)
		const retryAt = await runInDurableObject(roomStub(roomId), (_i, state) => state.storage.getAlarm())
		expect(retryAt).not.toBeNull()

		// The room still accepts and acknowledges edits during the outage.
		expect((await client.putRecord(geoShape('d'))).action).toBe('commit')

		await runInDurableObject(roomStub(roomId), (instance) => {
			const inst = instance as unknown as Inst
			inst.history.deps.snapshots = { ...inst.history.deps.snapshots, putVersion: inst.realPut as never }
		})
		await runDurableObjectAlarm(roomStub(roomId))
		expect(await listHistory(roomId)).toHaveLength(1)
		const failures = await runInDurableObject(roomStub(roomId), (_i, state) =>
			state.storage.sql.exec<{ value: string }>("SELECT value FROM sw_meta WHERE key = 'exportFailures'").toArray()[0]?.value,
		)
		expect(failures).toBe('0')
		client.socket.close(1000, 'done')
	})
})

describe('cold start', () => {
	it('rebuilds the newest version from its R2 chain (checkpoint + change sets) when the Durable Object has no SQLite state', async () => {
		const roomId = newRoomId('cold')
		// Export a room twice, then point a different, empty room at its chain as if its DO storage were lost.
		const source = newRoomId('cold-src')
		const writer = await joinRoom(source)
		await writer.putRecord(geoShape('from-r2', 42, 7))
		await writer.putRecord(geoShape('gone', 1, 1))
		await runDurableObjectAlarm(roomStub(source))
		await writer.patchRecord('shape:from-r2', 'x', 43)
		await writer.removeRecord('shape:gone')
		await runDurableObjectAlarm(roomStub(source))
		const json = await (await env.ROOMS.get(`room/${source}`))!.text()
		expect((JSON.parse(json) as { versions: string[] }).versions).toHaveLength(2)
		await env.ROOMS.put(`room/${roomId}`, json)

		const reader = await openSocket(`/r/${roomId}`)
		const connect = await reader.connect()
		const diff = connect.diff as Record<string, [string, { x?: number }]>
		expect(diff['shape:from-r2']?.[1].x).toBe(43)
		expect(diff['shape:gone']).toBeUndefined()
		writer.socket.close(1000, 'done')
		reader.socket.close(1000, 'done')
	})

	it('still starts from a whole snapshot written as `latest` before history chains', async () => {
		const roomId = newRoomId('cold-legacy')
		const source = newRoomId('cold-legacy-src')
		const writer = await joinRoom(source)
		await writer.putRecord(geoShape('legacy', 5, 6))
		const { snapshot } = await roomStub(source).readSnapshot({ roomKey: `room:${source}`, createSource: null })
		await env.ROOMS.put(`room/${roomId}`, JSON.stringify(snapshot))
		const reader = await openSocket(`/r/${roomId}`)
		const diff = (await reader.connect()).diff as Record<string, [string, { x?: number }]>
		expect(diff['shape:legacy']?.[1].x).toBe(5)
		writer.socket.close(1000, 'done')
		reader.socket.close(1000, 'done')
	})
})

describe('hibernation', () => {
	it('resumes a session on the same socket after the object is evicted with hibernated sockets', async () => {
		const roomId = newRoomId('hib')
		const a = await joinRoom(roomId)
		const b = await joinRoom(roomId)
		await a.putRecord(geoShape('h', 1, 1))
		// The room stores a resumable session snapshot in each socket's attachment after 5 s without messages.
		await waitFor(
			() => runInDurableObject(roomStub(roomId), (_i, state) => state.getWebSockets().every((ws) => (ws.deserializeAttachment() as { snapshot?: unknown } | null)?.snapshot)),
			'both sockets to carry a session snapshot',
			15_000,
		)
		await evictDurableObject(roomStub(roomId), { webSockets: 'hibernate' })

		const from = b.messages.length
		const result = await a.patchRecord('shape:h', 'x', 500)
		expect(result.action).toBe('commit')
		const patch = await b.next((m) => m.type === 'patch', 15_000, from)
		expect(JSON.stringify(patch.diff)).toContain('500')
		expect(a.closed).toBeNull()
		a.socket.close(1000, 'done')
		b.socket.close(1000, 'done')
	})
})

describe('limits and bad input', () => {
	it('refuses the session past MAX_SESSIONS_PER_ROOM with ROOM_FULL (exact: 3 allowed, 4th refused)', async () => {
		const roomId = newRoomId('full')
		const clients = [await joinRoom(roomId), await joinRoom(roomId), await joinRoom(roomId)]
		const fourth = await openSocket(`/r/${roomId}`)
		expect(await fourth.waitClosed()).toEqual({ code: 4099, reason: 'ROOM_FULL' })
		// A seat frees up when someone leaves.
		clients[0]!.socket.close(1000, 'bye')
		// The room answers a close only after it has let the session go.
		await clients[0]!.waitClosed()
		const fifth = await joinRoom(roomId)
		expect(fifth.closed).toBeNull()
		for (const c of [...clients.slice(1), fifth]) c.socket.close(1000, 'done')
	})

	it.each([
		['text that is not JSON', 'hello'],
		['JSON that is not a message', '[1,2,3]'],
		['an unknown message type', '{"type":"drop_tables"}'],
	])('closes a socket that sends %s with 1007 and leaves the room unharmed', async (_what, frame) => {
		const roomId = newRoomId('garbage')
		const good = await joinRoom(roomId)
		await good.putRecord(geoShape('keep', 3, 3))
		const bad = await joinRoom(roomId)
		bad.socket.send(frame)
		const closed = await bad.waitClosed()
		expect(closed.code).toBe(1007)
		expect(closed.reason).toMatch(/^MALFORMED_MESSAGE/)
		expect((await good.patchRecord('shape:keep', 'y', 4)).action).toBe('commit')
		const fresh = await openSocket(`/r/${roomId}`)
		const connect = await fresh.connect()
		expect((connect.diff as Record<string, [string, { y: number }]>)['shape:keep']?.[1].y).toBe(4)
		good.socket.close(1000, 'done')
		fresh.socket.close(1000, 'done')
	})

	it('closes a socket whose message exceeds MAX_MESSAGE_BYTES with 4099 MESSAGE_TOO_LARGE and applies none of it', async () => {
		const roomId = newRoomId('big')
		const client = await joinRoom(roomId)
		const big = { ...geoShape('big'), meta: { blob: 'x'.repeat(70_000) } }
		client.socket.send(JSON.stringify({ type: 'push', clientClock: 99, diff: { 'shape:big': ['put', big] } }))
		expect(await client.waitClosed()).toEqual({ code: 4099, reason: 'MESSAGE_TOO_LARGE' })
		const fresh = await openSocket(`/r/${roomId}`)
		const connect = await fresh.connect()
		expect(Object.keys(connect.diff as object)).not.toContain('shape:big')
		fresh.socket.close(1000, 'done')
	})
})

describe('push rate limit', () => {
	it('closes a session that pushes faster than MAX_PUSHES_PER_SECOND (burst 20) with RATE_LIMITED; others keep editing', async () => {
		const roomId = newRoomId('flood')
		const calm = await joinRoom(roomId)
		const flooder = await joinRoom(roomId)
		// Stop the room's clock, so the bucket cannot refill however slowly this machine runs the pushes.
		await runInDurableObject(roomStub(roomId), (instance) => {
			;(instance as unknown as { gate: { now: () => number } }).gate.now = () => 0
		})
		// Fire 40 pushes without waiting: exactly the burst of 20 passes, the 21st closes the session.
		for (let i = 0; i < 40; i++) {
			flooder.socket.send(JSON.stringify({ type: 'push', clientClock: i + 1, diff: { [`shape:f${i}`]: ['put', geoShape(`f${i}`)] } }))
		}
		expect(await flooder.waitClosed()).toEqual({ code: 4099, reason: 'RATE_LIMITED' })
		expect((await calm.putRecord(geoShape('calm'))).action).toBe('commit')
		const fresh = await openSocket(`/r/${roomId}`)
		const connect = await fresh.connect()
		const ids = Object.keys(connect.diff as object)
		expect(ids).toContain('shape:calm')
		expect(ids.filter((id) => id.startsWith('shape:f')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `shape:f${i}`).sort())
		calm.socket.close(1000, 'done')
		fresh.socket.close(1000, 'done')
	})
})

describe('reconnects', () => {
	it('keeps a session that reconnected with the same sessionId when the old socket closes late', async () => {
		const roomId = newRoomId('reconnect')
		const old = await openSocket(`/r/${roomId}`, 'same-session')
		await old.connect()
		// useSync reconnects with the same sessionId, sometimes before the old socket's close arrives.
		const fresh = await openSocket(`/r/${roomId}`, 'same-session')
		await fresh.connect()
		old.socket.close(1000, 'network blip')
		// The room echoes the close after handling it, so the late close has been processed by now.
		await old.waitClosed()
		expect((await fresh.putRecord(geoShape('after-reconnect'))).action).toBe('commit')
		expect(fresh.closed).toBeNull()
		fresh.socket.close(1000, 'done')
	})
})
