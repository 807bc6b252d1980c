/**
 * Anonymous rooms end to end: the real worker under workerd (wrangler's test harness) and real tldraw
 * clients (TLSyncClient, as useSync builds it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectClient, makeGeoShape, waitFor, waitForAcks, type TestClient } from '../helpers/tldrawClient'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { ROOT, startHarness } from '../helpers/worker'

let harness: Awaited<ReturnType<typeof startHarness>>
const clients: TestClient[] = []

beforeAll(async () => {
	harness = await startHarness({ MAX_SESSIONS_PER_ROOM: '3' })
})

afterAll(async () => {
	for (const c of clients) c.close()
	await harness?.server.close()
})

function join(path: string) {
	const c = connectClient(`${harness.url}${path}`)
	clients.push(c)
	return c
}

const roomId = (name: string) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`

describe('anonymous rooms', () => {
	it('two clients see each other’s shapes, moves and deletes', async () => {
		const id = roomId('converge')
		const a = join(`/r/${id}`)
		const b = join(`/r/${id}`)
		await Promise.all([a.loaded, b.loaded])

		a.store.put([makeGeoShape(a.store, 'from-a', 10, 10)])
		b.store.put([makeGeoShape(b.store, 'from-b', 50, 50)])
		await waitFor(() => !!a.store.get('shape:from-b' as never) && !!b.store.get('shape:from-a' as never), 'both shapes on both clients')

		a.store.update('shape:from-b' as never, (r) => ({ ...(r as object), x: 300 }) as never)
		await waitFor(() => (b.store.get('shape:from-b' as never) as { x: number } | undefined)?.x === 300, 'the move on b')
		b.store.remove(['shape:from-a' as never])
		await waitFor(() => !a.store.get('shape:from-a' as never), 'the delete on a')
	})

	it('a read-only client (by slug) keeps receiving, and its own edits are discarded', async () => {
		const id = roomId('readonly')
		const writer = join(`/r/${id}`)
		await writer.loaded
		const { slug } = (await (await fetch(`${harness.url}/r/${id}/readonly-slug`)).json()) as { slug: string }
		expect(slug).toMatch(/^[0-9a-f]{64}$/)
		expect(slug).not.toContain(id)
		const viewer = join(`/ro/${slug}`)
		await viewer.loaded
		expect(viewer.isReadonly()).toBe(true)

		viewer.store.put([makeGeoShape(viewer.store, 'sneaky')])
		await waitForAcks(viewer)
		await waitFor(() => !viewer.store.get('shape:sneaky' as never), 'the viewer to roll back its edit')

		writer.store.put([makeGeoShape(writer.store, 'real', 5, 5)])
		await waitFor(() => !!viewer.store.get('shape:real' as never), 'the viewer to receive the writer’s shape')
		expect(writer.store.get('shape:sneaky' as never)).toBeUndefined()
		expect(viewer.socket.connectionStatus).toBe('online')
	})

	it('refuses the session past MAX_SESSIONS_PER_ROOM with ROOM_FULL, shown to the client as a sync error', async () => {
		const id = roomId('full')
		const seated = [join(`/r/${id}`), join(`/r/${id}`), join(`/r/${id}`)]
		await Promise.all(seated.map((c) => c.loaded))
		const extra = join(`/r/${id}`)
		expect(await extra.syncError).toBe('ROOM_FULL')
	})

	it('a read-only slug of a room nobody has opened ends with NOT_FOUND; a forged slug gets 400', async () => {
		const id = roomId('never-opened')
		const { slug } = (await (await fetch(`${harness.url}/r/${id}/readonly-slug`)).json()) as { slug: string }
		const viewer = join(`/ro/${slug}`)
		expect(await viewer.syncError).toBe('NOT_FOUND')

		const forged = await harness.server.fetch(`/ro/${'0'.repeat(64)}?sessionId=x`, { headers: { Upgrade: 'websocket' } })
		expect(forged.status).toBe(400)
		expect(await forged.json()).toMatchObject({ code: 'INVALID_ID' })
	})

	it('closes a socket that sends garbage and keeps the room working for everyone else', async () => {
		const id = roomId('garbage')
		const good = join(`/r/${id}`)
		await good.loaded
		const raw = new WebSocket(`${harness.url.replace('http', 'ws')}/r/${id}?sessionId=raw-${Date.now()}`)
		await new Promise((resolve, reject) => {
			raw.addEventListener('open', resolve, { once: true })
			raw.addEventListener('error', reject, { once: true })
		})
		const closed = new Promise<{ code: number; reason: string }>((r) => raw.addEventListener('close', r as never, { once: true }))
		raw.send('{"type":"connect"')
		const ev = await closed
		expect(ev.code).toBe(1007)
		expect(ev.reason).toMatch(/^MALFORMED_MESSAGE/)
		good.store.put([makeGeoShape(good.store, 'still-fine')])
		await waitForAcks(good)
		const late = join(`/r/${id}`)
		await late.loaded
		expect(late.store.get('shape:still-fine' as never)).toBeDefined()
	})
})

describe('the ./dev.sh demo', () => {
	it('runs as Node runs it (type stripping only) and shows three converged canvases', () => {
		const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts/demo.ts'), '--url', harness.url], { encoding: 'utf8', timeout: 60_000 })
		expect(out).toMatch(/alice sees: {2}shape:alice@0, shape:bob@400/)
		expect(out).toMatch(/viewer sees: shape:alice@0, shape:bob@400 \(read-only: true\)/)
	})
})

describe('HTTP surface', () => {
	it.each([
		['GET', '/health', {}, 200, { ok: true }],
		['GET', '/api/health', {}, 200, { ok: true }],
		['GET', '/r/ok-room', {}, 426, { code: 'UPGRADE_REQUIRED' }],
		['GET', '/r/bad%20id', { Upgrade: 'websocket' }, 400, { code: 'INVALID_ID' }],
		['GET', `/r/${'x'.repeat(129)}`, { Upgrade: 'websocket' }, 400, { code: 'INVALID_ID' }],
		['GET', '/r/ok-room', { Upgrade: 'websocket' }, 400, { code: 'BAD_REQUEST' }],
		['GET', '/ro/not-a-slug', { Upgrade: 'websocket' }, 400, { code: 'INVALID_ID' }],
		['GET', '/nope', {}, 404, { code: 'NOT_FOUND' }],
		['POST', '/health', {}, 404, { code: 'NOT_FOUND' }],
	] as const)('%s %s → %s', async (method, path, headers, status, body) => {
		// Node's fetch refuses Upgrade headers; the harness dispatches like a real client would.
		const res = await harness.server.fetch(path, { method, headers })
		expect(res.status).toBe(status)
		expect(res.headers.get('content-type')).toContain('application/json')
		expect(await res.json()).toMatchObject(body)
	})

	it('answers CORS preflights', async () => {
		const res = await fetch(`${harness.url}/health`, {
			method: 'OPTIONS',
			headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET' },
		})
		expect(res.status).toBeLessThan(300)
		expect(res.headers.get('access-control-allow-origin')).toBeTruthy()
	})
})
