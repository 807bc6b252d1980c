/**
 * Admin view: refused without ADMIN_TOKEN; with rooms open, /app/admin/rooms, /room/:roomKey and
 * /metrics report the right rooms, sessions and pushes (from the rooms' batched reports).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uniq } from '../helpers/api'
import { connectClient, makeGeoShape, waitForAcks, type TestClient } from '../helpers/tldrawClient'
import { waitFor } from '../helpers/waitFor'
import { startHarness } from '../helpers/worker'

const ADMIN_TOKEN = 'test-admin-token-0123456789'
let harness: Awaited<ReturnType<typeof startHarness>>
const clients: TestClient[] = []

beforeAll(async () => {
	harness = await startHarness({ ADMIN_TOKEN, STATS_REPORT_MS: '100' })
})

afterAll(async () => {
	for (const c of clients) c.close()
	await harness?.server.close()
})

const admin = (path: string, token: string | null = ADMIN_TOKEN) => fetch(`${harness.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })

async function join(roomId: string) {
	const c = connectClient(`${harness.url}/r/${roomId}`)
	clients.push(c)
	await c.loaded
	return c
}

interface RoomJson {
	roomKey: string
	sessions: number
	clock: number
	lastActivityAt: string
}

/** Polls the admin view until `predicate` holds: reports arrive in batches, so there is no event to wait for. */
function roomsWhere(predicate: (rooms: RoomJson[]) => boolean, what: string): Promise<RoomJson[]> {
	return waitFor(async () => {
		const { rooms } = (await (await admin('/app/admin/rooms')).json()) as { rooms: RoomJson[] }
		return predicate(rooms) && rooms
	}, `admin rooms showing ${what}`, 15_000)
}

const metricValue = (text: string, name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1])

describe('admin routes', () => {
	it.each(['/app/admin/rooms', '/app/admin/room/room:x', '/app/admin/metrics'])('%s is refused without the token, or with a wrong one', async (path) => {
		const none = await admin(path, null)
		expect(none.status).toBe(401)
		expect(((await none.json()) as { code: string }).code).toBe('NOT_AUTHENTICATED')
		expect((await admin(path, 'wrong-token-wrong-token')).status).toBe(401)
	})

	it('counts rooms, sessions and pushes with rooms open', async () => {
		const busy = `busy-${uniq()}`
		const quiet = `quiet-${uniq()}`
		const a = await join(busy)
		const b = await join(busy)
		await join(busy)
		await join(quiet)
		for (let i = 0; i < 5; i++) a.store.put([makeGeoShape(a.store, `s${i}`, i * 10)])
		await waitForAcks(a)
		b.store.put([makeGeoShape(b.store, 'from-b')])
		await waitForAcks(b)

		const rooms = await roomsWhere((rs) => {
			const r = rs.find((x) => x.roomKey === `room:${busy}`)
			// Reports are batched: one sent before the pushes landed shows 3 sessions at clock 0, so wait for both.
			return r?.sessions === 3 && r.clock > 0 && rs.find((x) => x.roomKey === `room:${quiet}`)?.sessions === 1
		}, '3 sessions in the busy room, its pushes, and 1 session in the quiet one')
		const busyRoom = rooms.find((r) => r.roomKey === `room:${busy}`)!
		expect(busyRoom.clock).toBeGreaterThan(0)
		expect(Date.parse(busyRoom.lastActivityAt)).toBeGreaterThan(Date.now() - 60_000)

		const detail = await admin(`/app/admin/room/room:${busy}`)
		expect(detail.status).toBe(200)
		const body = (await detail.json()) as { sessions: number; live: { sessions: Array<{ userId: string | null; isReadonly: boolean }> } }
		expect(body.live.sessions).toHaveLength(3)
		expect(body.live.sessions.every((s) => s.userId === null && !s.isReadonly)).toBe(true)
		expect((await admin(`/app/admin/room/room:never-${uniq()}`)).status).toBe(404)
		expect((await admin('/app/admin/room/nonsense')).status).toBe(400)

		// Six committed pushes in the busy room (five from a, one from b); the counter may trail the room list
		// by one batched report, so wait for it.
		const text = await waitFor(async () => {
			const res = await admin('/app/admin/metrics')
			expect(res.headers.get('content-type')).toContain('text/plain')
			const body = await res.text()
			return metricValue(body, 'sync_worker_pushes_total') >= 6 && body
		}, 'the metrics counting the six pushes', 15_000)
		expect(text).toContain('# TYPE sync_worker_pushes_total counter')
		expect(metricValue(text, 'sync_worker_active_rooms')).toBeGreaterThanOrEqual(2)
		expect(metricValue(text, 'sync_worker_sessions')).toBeGreaterThanOrEqual(4)

		// A session leaving is reported too.
		b.close()
		await roomsWhere((rs) => rs.find((x) => x.roomKey === `room:${busy}`)?.sessions === 2, 'the busy room down to 2 sessions')
	})
})
