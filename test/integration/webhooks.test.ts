/**
 * Webhooks end to end: the real worker (rooms, replicator, queue consumers as wrangler simulates them)
 * POSTs signed events to a local HTTP receiver. Every event type arrives with a valid signature at every
 * configured URL; a receiver failing its first answers loses nothing; a receiver that never recovers ends
 * in the dead-letter queue, counted in the admin metrics.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { uniq } from '../helpers/api'
import { useSignedInWorker } from '../helpers/signedInWorker'
import { connectClient, makeGeoShape, waitForAcks, type TestClient } from '../helpers/tldrawClient'
import { waitFor } from '../helpers/waitFor'
import { startWebhookReceiver } from '../helpers/webhookReceiver'
import type { WebhookEvent } from '../../src/webhooks/WebhookEvent'

const ADMIN_TOKEN = 'test-admin-token-0123456789'
const SECRET = 'whsec_' + Buffer.from('webhook test secret, 32 bytes!!').toString('base64')
const receiver = await startWebhookReceiver()
const w = useSignedInWorker({
	ADMIN_TOKEN,
	PERSIST_INTERVAL_MS: '300',
	REPLICATOR_KEEPALIVE_MS: '1000',
	// Two receivers: every event goes to each.
	WEBHOOK_URL: `${receiver.url}/a, ${receiver.url}/b`,
	WEBHOOK_SECRET: SECRET,
	WEBHOOK_DEBOUNCE_MS: '200',
	// No wait between attempts, so a failing receiver reaches the dead-letter queue within seconds.
	WEBHOOK_RETRY_BASE_SECONDS: '0',
	STATS_REPORT_MS: '200',
})
const { api, user } = w
const clients: TestClient[] = []

afterAll(async () => {
	for (const c of clients) c.close()
	await receiver.close()
})

/** An anonymous room's client. */
function client(path: string) {
	const c = connectClient(`${w.url()}${path}`)
	clients.push(c)
	return c
}

const ofRoom = (roomKey: string) => (e: WebhookEvent) => e.roomKey === roomKey
const delivered = (roomKey: string, type: string, path = '/a') => (r: { event: WebhookEvent; status: number; path: string }) =>
	r.event.roomKey === roomKey && r.event.type === type && r.status === 200 && r.path === path

async function metric(name: string): Promise<number> {
	const res = await fetch(`${w.url()}/app/admin/metrics`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
	const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `))
	return Number(line?.split(' ')[1] ?? NaN)
}

describe('webhooks', () => {
	it('delivers every event type, signed, to every URL, numbered per room', async () => {
		const alice = await user('alice')
		// The user socket starts the replication stream, so file rows changed from now on produce events.
		await w.openUserSocket(alice)

		const created = await api('POST', '/app/files', { token: alice.token, body: { name: 'Hooked' } })
		expect(created.status).toBe(201)
		const fileId = created.body.id as string
		const roomKey = `file:${fileId}`
		await receiver.waitFor(delivered(roomKey, 'file.created'), 'file.created')

		const c = w.openFile(fileId, alice)
		await c.loaded
		const joined = await receiver.waitFor(delivered(roomKey, 'session.joined'), 'session.joined')
		expect(joined.event.data).toMatchObject({ userId: alice.userId, anonymous: false, isReadonly: false })

		const shape = makeGeoShape(c.store, 'hooked')
		c.store.put([shape])
		await waitForAcks(c)
		const put = await receiver.waitFor((r) => delivered(roomKey, 'document.updated')(r) && (r.event.data.put as string[]).includes('shape:hooked'), 'document.updated with the shape')
		expect(put.event.data.toClock).toBeGreaterThan(put.event.data.fromClock as number)

		// A version to restore: wait for the export of the document with the shape.
		const version = await waitFor(async () => {
			const versions = (await api('GET', `/app/file/${fileId}/history`, { token: alice.token })).body.versions as Array<{ version: string; clock: number }>
			return versions.find((v) => v.clock >= (put.event.data.toClock as number))?.version
		}, 'an exported version with the shape', 15_000)
		c.store.remove([shape.id])
		await waitForAcks(c)
		await receiver.waitFor((r) => delivered(roomKey, 'document.updated')(r) && (r.event.data.removed as string[]).includes('shape:hooked'), 'document.updated removing the shape')

		expect((await api('POST', `/app/file/${fileId}/history/${version}/restore`, { token: alice.token })).status).toBe(200)
		const restored = await receiver.waitFor(delivered(roomKey, 'history.restored'), 'history.restored')
		expect(restored.event.data.version).toBe(version)

		expect((await api('PATCH', `/app/file/${fileId}`, { token: alice.token, body: { name: 'Renamed' } })).status).toBe(200)
		await receiver.waitFor(delivered(roomKey, 'file.updated'), 'file.updated')
		expect((await api('PATCH', `/app/file/${fileId}`, { token: alice.token, body: { published: true } })).status).toBe(200)
		await receiver.waitFor(delivered(roomKey, 'file.published'), 'file.published')
		expect((await api('PATCH', `/app/file/${fileId}`, { token: alice.token, body: { published: false } })).status).toBe(200)
		await receiver.waitFor(delivered(roomKey, 'file.unpublished'), 'file.unpublished')
		// Plain SQL produces events too: the replication stream sees it.
		await w.sql(`UPDATE "file" SET name = 'From SQL' WHERE id = $1`, [fileId])
		await receiver.waitFor((r) => delivered(roomKey, 'file.updated')(r) && (r.event.data.file as { name: string }).name === 'From SQL', 'file.updated from plain SQL')

		c.close()
		const left = await receiver.waitFor(delivered(roomKey, 'session.left'), 'session.left')
		expect(left.event.data).toMatchObject({ userId: alice.userId })
		expect((await api('DELETE', `/app/file/${fileId}`, { token: alice.token })).status).toBe(200)
		await receiver.waitFor(delivered(roomKey, 'file.deleted'), 'file.deleted')
		await receiver.waitFor(delivered(roomKey, 'file.deleted', '/b'), 'file.deleted at the second URL')

		const mine = receiver.received.filter((r) => r.event.roomKey === roomKey)
		const types = new Set(mine.map((r) => r.event.type))
		expect([...types].sort()).toEqual(
			['document.updated', 'file.created', 'file.deleted', 'file.published', 'file.unpublished', 'file.updated', 'history.restored', 'session.joined', 'session.left'].sort(),
		)
		for (const r of mine) {
			expect(await receiver.verify(r, SECRET)).toBe(true)
			expect(r.headers['webhook-id']).toBe(r.event.id)
			expect(r.headers['content-type']).toBe('application/json')
		}
		// Each URL got every event; per room and source the sequence has no gap.
		for (const path of ['/a', '/b']) {
			for (const source of ['room', 'replication'] as const) {
				const seqs = [...new Set(mine.filter((r) => r.path === path && r.event.source === source).map((r) => r.event.seq))].sort((x, y) => x - y)
				expect(seqs).toEqual(seqs.map((_, i) => i + 1))
			}
		}
		const idsA = new Set(mine.filter((r) => r.path === '/a').map((r) => r.event.id))
		const idsB = new Set(mine.filter((r) => r.path === '/b').map((r) => r.event.id))
		expect(idsB).toEqual(idsA)
	})

	it('a receiver failing its first 3 answers still gets every event, duplicates sharing an id', async () => {
		const roomId = `flaky-${uniq()}`
		const roomKey = `room:${roomId}`
		const failed: string[] = []
		receiver.answer = (event, attempt) => {
			if (event.roomKey !== roomKey) return 200
			if (attempt <= 3) {
				failed.push(event.id)
				return 503
			}
			return 200
		}
		const c = client(`/r/${roomId}`)
		await c.loaded
		for (let burst = 0; burst < 5; burst++) {
			c.store.put([makeGeoShape(c.store, `flaky${burst}`, burst * 10)])
			await waitForAcks(c)
			// The next burst after this one's event, so each burst is its own document.updated.
			await receiver.waitFor((r) => r.event.roomKey === roomKey && r.event.type === 'document.updated' && (r.event.data.put as string[]).includes(`shape:flaky${burst}`), `burst ${burst}`)
		}
		c.close()
		// session.left is the room's last event: once it is delivered at both URLs, everything before it was sent.
		await receiver.waitFor(delivered(roomKey, 'session.left', '/a'), 'session.left at /a')
		await receiver.waitFor(delivered(roomKey, 'session.left', '/b'), 'session.left at /b')
		const last = receiver.received.find(delivered(roomKey, 'session.left'))!.event.seq
		expect(failed).toHaveLength(3)
		for (const path of ['/a', '/b']) {
			const events = receiver.deliveredEvents(ofRoom(roomKey)).filter((e) => receiver.received.some((r) => r.path === path && r.status === 200 && r.event.id === e.id))
			expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: last }, (_, i) => i + 1))
		}
		// Every failed attempt was retried with the same id and body, and that retry succeeded.
		for (const id of failed) {
			const attempts = receiver.received.filter((r) => r.event.id === id)
			expect(attempts.length).toBeGreaterThan(1)
			expect(new Set(attempts.map((r) => r.body)).size).toBe(1)
			expect(attempts.some((r) => r.status === 200)).toBe(true)
		}
		const shapesReported = receiver.deliveredEvents(ofRoom(roomKey)).flatMap((e) => (e.type === 'document.updated' ? (e.data.put as string[]) : []))
		for (let burst = 0; burst < 5; burst++) expect(shapesReported).toContain(`shape:flaky${burst}`)
	})

	it('a receiver that never recovers ends in the dead-letter queue, counted in the metrics', async () => {
		const deadBefore = await metric('sync_worker_webhook_dead_letters_total')
		const goneRoom = `room:gone-${uniq()}`
		const downRoom = `room:down-${uniq()}`
		receiver.answer = (event) => (event.roomKey === goneRoom ? 410 : event.roomKey === downRoom ? 500 : 200)
		// 410 Gone: dead at once. 500: retried until max_retries (10), then dead.
		const gone = client(`/r/${goneRoom.slice(5)}`)
		await gone.loaded
		gone.close()
		const down = client(`/r/${downRoom.slice(5)}`)
		await down.loaded
		down.close()
		// joined + left, at two URLs, for both rooms.
		const dead = await waitFor(async () => {
			const n = await metric('sync_worker_webhook_dead_letters_total')
			return n >= deadBefore + 8 && n
		}, '8 dead letters in the metrics', 60_000)
		expect(dead).toBe(deadBefore + 8)
		const goneAttempts = receiver.received.filter((r) => r.event.roomKey === goneRoom)
		expect(goneAttempts).toHaveLength(4)
		const downAttempts = receiver.received.filter((r) => r.event.roomKey === downRoom)
		const perEvent = new Map<string, number>()
		for (const r of downAttempts) perEvent.set(`${r.event.id}${r.path}`, (perEvent.get(`${r.event.id}${r.path}`) ?? 0) + 1)
		expect([...perEvent.values()]).toEqual([11, 11, 11, 11])
		expect(await metric('sync_worker_webhook_retries_total')).toBeGreaterThanOrEqual(40)
	})
})
