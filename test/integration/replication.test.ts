/**
 * Postgres logical replication end to end: rows changed by plain SQL reach user sockets and live rooms,
 * mutations commit only after their rows come back, and a 5,000-change burst survives an evicted
 * replicator and a Postgres restart with nothing missed and nothing applied twice.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uniq } from '../helpers/api'
import { createTestKeys, TEST_ORIGIN } from '../helpers/auth'
import { startTestDatabase, type TestDatabase } from '../helpers/postgres'
import { connectClient, type TestClient } from '../helpers/tldrawClient'
import { UserSocketClient } from '../helpers/userSocket'
import { startHarness } from '../helpers/worker'
import { waitFor } from '../helpers/waitFor'

const keys = createTestKeys()
const ADMIN_TOKEN = 'test-admin-token-0123456789'
// This file restarts Postgres, so it has a cluster of its own: the run's is shared with files running meanwhile.
let database: TestDatabase
let databaseUrl: string
let harness: Awaited<ReturnType<typeof startHarness>>
let db: pg.Pool
const sockets: UserSocketClient[] = []
const clients: TestClient[] = []

beforeAll(async () => {
	database = await startTestDatabase({ own: true })
	databaseUrl = database.url
	db = newPool()
	harness = await startHarness({
		DATABASE_URL: databaseUrl,
		CLERK_JWT_KEY: keys.publicPem,
		ALLOWED_ORIGINS: TEST_ORIGIN,
		ADMIN_TOKEN,
		REPLICATOR_KEEPALIVE_MS: '1000',
	})
})

afterAll(async () => {
	for (const s of sockets) s.close()
	for (const c of clients) c.close()
	await harness?.server.close()
	await db?.end()
	await database?.stop()
})

function newPool() {
	const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
	pool.on('error', () => {})
	return pool
}

async function user(name: string) {
	const userId = `${name}_${uniq()}`
	const token = await keys.token(userId, { name })
	return { userId, token }
}

async function openUserSocket(u: { userId: string; token: string }) {
	const s = await UserSocketClient.open(harness.url, u.userId, u.token)
	sockets.push(s)
	await s.waitFor((m) => m.type === 'init', 'init')
	return s
}

async function insertFile(ownerId: string, over: Record<string, unknown> = {}) {
	const id = `f_${uniq()}`
	await db.query(`INSERT INTO "file" (id, "ownerId", name, shared, "sharedLinkType") VALUES ($1, $2, $3, $4, $5)`, [
		id,
		ownerId,
		over.name ?? 'From SQL',
		over.shared ?? false,
		over.sharedLinkType ?? 'edit',
	])
	return id
}

describe('plain SQL reaches users and rooms', () => {
	it('delivers inserts and updates made with plain SQL to the user socket', async () => {
		const alice = await user('alice')
		const s = await openUserSocket(alice)
		const init = s.messages.find((m) => m.type === 'init')!
		expect((init.user as { id: string }).id).toBe(alice.userId)
		const fileId = await insertFile(alice.userId)
		await s.waitFor((m) => m.type === 'changes' && JSON.stringify(m.changes).includes(fileId), 'the inserted file')
		await db.query(`UPDATE "user" SET name = 'Alice Renamed' WHERE id = $1`, [alice.userId])
		await s.waitFor((m) => m.type === 'changes' && JSON.stringify(m.changes).includes('Alice Renamed'), 'the renamed user')
		// Other users' rows never arrive.
		const bob = await user('bob')
		await db.query(`INSERT INTO "user" (id, name) VALUES ($1, 'Bob')`, [bob.userId])
		await insertFile(bob.userId, { name: 'bob-secret' })
		// A later change of alice's arrives after bob's would have (one stream, in commit order).
		await db.query(`UPDATE "user" SET name = 'Alice After Bob' WHERE id = $1`, [alice.userId])
		await s.waitFor((m) => m.type === 'changes' && JSON.stringify(m.changes).includes('Alice After Bob'), 'the later change')
		expect(JSON.stringify(s.changes())).not.toContain('bob-secret')
	})

	it('closes a guest within 5 s of UPDATE file SET shared = false, made with plain SQL', async () => {
		const owner = await user('owner')
		const guest = await user('guest')
		await db.query(`INSERT INTO "user" (id, name) VALUES ($1, 'Owner')`, [owner.userId])
		const fileId = await insertFile(owner.userId, { shared: true })
		const g = connectClient(`${harness.url}/app/file/${fileId}`, { accessToken: guest.token })
		clients.push(g)
		await g.loaded
		const t0 = Date.now()
		await db.query(`UPDATE "file" SET shared = false WHERE id = $1`, [fileId])
		const reason = await Promise.race([g.syncError, new Promise<string>((r) => setTimeout(() => r('still connected after 5 s'), 5_000))])
		expect(reason).toBe('FORBIDDEN')
		expect(Date.now() - t0).toBeLessThan(5_000)
	})

	it('writes a rename made with plain SQL into the live document', async () => {
		const owner = await user('owner')
		await db.query(`INSERT INTO "user" (id, name) VALUES ($1, 'Owner')`, [owner.userId])
		const fileId = await insertFile(owner.userId, { name: 'Before SQL' })
		const o = connectClient(`${harness.url}/app/file/${fileId}`, { accessToken: owner.token })
		clients.push(o)
		await o.loaded
		await db.query(`UPDATE "file" SET name = 'After SQL' WHERE id = $1`, [fileId])
		await waitFor(() => (o.store.get('document:document' as never) as unknown as { name: string }).name === 'After SQL', 'the rename in the document')
	})
})

describe('mutations', () => {
	it('interleaves mutations from two sockets of one user and another user; commit comes after the rows', async () => {
		const alice = await user('alice')
		const carol = await user('carol')
		const [a1, a2, c1] = [await openUserSocket(alice), await openUserSocket(alice), await openUserSocket(carol)]
		const ids: string[] = []
		for (let i = 0; i < 5; i++) {
			ids.push(a1.mutate('createFile', { id: randomUUID(), name: `a1-${i}` }))
			ids.push(a2.mutate('createFile', { id: randomUUID(), name: `a2-${i}` }))
			c1.mutate('createFile', { id: randomUUID(), name: `c1-${i}` })
		}
		for (const id of ids) {
			const socket = ids.indexOf(id) % 2 === 0 ? a1 : a2
			const outcome = await socket.outcome(id)
			expect(outcome.type).toBe('commit')
			// The commit arrives after the rows it confirms.
			const commitAt = socket.messages.indexOf(outcome)
			const n = ids.indexOf(id) % 2 === 0 ? `a1-${ids.indexOf(id) / 2}` : `a2-${(ids.indexOf(id) - 1) / 2}`
			const rowsAt = socket.messages.findIndex((m) => m.type === 'changes' && JSON.stringify(m.changes).includes(`"${n}"`))
			expect(rowsAt).toBeGreaterThanOrEqual(0)
			expect(rowsAt).toBeLessThan(commitAt)
		}
		// Both of alice's sockets see all ten of her files; carol sees none of them.
		for (const s of [a1, a2]) {
			await s.waitFor(() => new Set(s.changes().filter((c) => c.table === 'file').map((c) => c.row.name)).size >= 10, 'all of alice’s files')
		}
		await c1.waitFor(() => c1.changes().filter((c) => c.table === 'file').length >= 5, 'carol’s files')
		expect(JSON.stringify(c1.changes())).not.toMatch(/"a[12]-\d"/)
		const { rows } = await db.query<{ mutationNumber: string }>('SELECT "mutationNumber" FROM user_mutation_number WHERE "userId" = $1', [alice.userId])
		expect(Number(rows[0]!.mutationNumber)).toBe(10)
	})

	it('rejects a mutation with a code and leaves no trace in Postgres', async () => {
		const alice = await user('alice')
		const bob = await user('bob')
		const a = await openUserSocket(alice)
		await openUserSocket(bob)
		const bobsFile = await insertFile(bob.userId, { name: 'not yours' })
		const before = await db.query('SELECT "mutationNumber" FROM user_mutation_number WHERE "userId" = $1', [alice.userId])
		const id = a.mutate('updateFile', { id: bobsFile, name: 'stolen' })
		const outcome = await a.outcome(id)
		expect(outcome).toMatchObject({ type: 'reject', code: 'FORBIDDEN' })
		const after = await db.query('SELECT "mutationNumber" FROM user_mutation_number WHERE "userId" = $1', [alice.userId])
		expect(after.rows).toEqual(before.rows)
		const file = await db.query('SELECT name FROM "file" WHERE id = $1', [bobsFile])
		expect(file.rows[0].name).toBe('not yours')
	})
})

describe('burst with an evicted replicator and a Postgres restart', () => {
	it('delivers 5,000 row changes to the subscribed socket, none missed, none twice', async () => {
		const alice = await user('alice')
		const s = await openUserSocket(alice)
		const fileIds: string[] = []
		for (let i = 0; i < 100; i++) fileIds.push(await insertFile(alice.userId, { name: 'v-init' }))
		await s.waitFor(() => s.changes().filter((c) => c.table === 'file' && c.op === 'insert').length >= 100, 'the 100 files')
		const baseline = s.changes().length

		// 5,000 updates: each file renamed 50 times, 10 rows per transaction.
		const burst = async (from: number, to: number) => {
			for (let round = from; round < to; round++) {
				for (let chunk = 0; chunk < 100; chunk += 10) {
					const ids = fileIds.slice(chunk, chunk + 10)
					await db.query(`UPDATE "file" SET name = 'v' || $1::text WHERE id = ANY($2)`, [round, ids])
				}
			}
		}
		const streamStarts = async () =>
			((await (await fetch(`${harness.url}/app/replicator-status`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { streamStarts: number })
				.streamStarts
		const startsBefore = await streamStarts()
		await burst(0, 20)
		// Drop the replicator's memory and stream mid-burst, as an eviction would. (wrangler's
		// evictDurableObject refuses while the replication socket is open; the admin restart aborts it.)
		const restart = await fetch(`${harness.url}/app/admin/replicator/restart`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
		expect(restart.status).toBe(202)
		await burst(20, 35)
		// Let the stream come back (and catch up on some of the backlog) before taking Postgres away under it.
		const waitForStarts = (n: number) => waitFor(async () => (await streamStarts()) >= n, `the stream to restart (${n} starts)`, 30_000)
		await waitForStarts(startsBefore + 1)
		await database.crashAndRestart!()
		// The test's own connections died with the server.
		await db.end().catch(() => {})
		db = newPool()
		await burst(35, 50)

		const expected = 5_000
		// On a timeout the assertions below say what is missing.
		await waitFor(() => s.changes().length - baseline >= expected, `${expected} changes`, 90_000).catch(() => {})
		const updates = s.changes().slice(baseline).filter((c) => c.table === 'file' && c.op === 'update')
		const seen = new Map<string, number>()
		for (const c of updates) {
			const key = `${c.row.id}:${c.row.name}`
			seen.set(key, (seen.get(key) ?? 0) + 1)
		}
		const missing = fileIds.flatMap((id) => Array.from({ length: 50 }, (_, r) => `${id}:v${r}`)).filter((k) => !seen.has(k))
		const twice = [...seen].filter(([, n]) => n > 1)
		expect({ received: updates.length, missing: missing.length, twice: twice.length }).toEqual({ received: expected, missing: 0, twice: 0 })
		// Each file's versions arrived in commit order.
		for (const id of fileIds.slice(0, 5)) {
			const order = updates.filter((c) => c.row.id === id).map((c) => Number(String(c.row.name).slice(1)))
			expect(order).toEqual([...order].sort((a, b) => a - b))
		}
		expect(s.messages.some((m) => m.type === 'resync')).toBe(false)
		// The stream really was torn down twice (the abort, then Postgres going away) and started again.
		expect(await streamStarts()).toBeGreaterThanOrEqual(startsBefore + 2)
	}, 180_000)
})

describe('status', () => {
	it('reports lsn, lag, slot state, outbox depth and last event age to admins only', async () => {
		expect((await fetch(`${harness.url}/app/replicator-status`)).status).toBe(401)
		// A stream that has carried an event, whatever ran before this test.
		const alice = await user('alice')
		const s = await openUserSocket(alice)
		const fileId = await insertFile(alice.userId)
		await s.waitFor((m) => m.type === 'changes' && JSON.stringify(m.changes).includes(fileId), 'the inserted file')
		const status = await waitFor(async () => {
			const res = await fetch(`${harness.url}/app/replicator-status`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
			expect(res.status).toBe(200)
			const body = (await res.json()) as Record<string, any>
			return body.slot?.active && body
		}, 'the slot to be in use')
		expect(status.stream).toBe('running')
		expect(status.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/)
		expect(status.slot).toMatchObject({ name: harness.slot, exists: true, active: true })
		expect(typeof status.slot.lagBytes).toBe('number')
		expect(status.outbox).toEqual({ deliveries: expect.any(Number), effects: expect.any(Number), webhooks: expect.any(Number) })
		expect(status.lastEventAgeMs).toBeGreaterThanOrEqual(0)
	})

	it('recreates a dropped slot and tells connected users to resync', async () => {
		const alice = await user('alice')
		const s = await openUserSocket(alice)
		// The replicator takes the slot back a second after losing it: end its stream and drop the slot until
		// a drop lands in between.
		await waitFor(async () => {
			await db.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL', [harness.slot])
			return db.query('SELECT pg_drop_replication_slot($1)', [harness.slot]).then(
				() => true,
				(err: Error) => {
					if (/is active/.test(err.message)) return false
					throw err
				},
			)
		}, 'the slot to be dropped')
		await s.waitFor((m) => m.type === 'resync', 'a resync after the slot was recreated', 20_000)
		// And the new stream delivers.
		const fileId = await insertFile(alice.userId)
		await s.waitFor((m) => m.type === 'changes' && JSON.stringify(m.changes).includes(fileId), 'a change on the new stream', 20_000)
	})
})
