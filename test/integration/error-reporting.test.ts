/**
 * Unexpected errors: the client gets a 500 JSON body with no details, and Sentry (toucan-js) gets the
 * event tagged with the component that failed — here a local catcher on 127.0.0.1 stands in for
 * Sentry's ingest endpoint.
 */
import { createServer, type IncomingMessage } from 'node:http'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../scripts/migrate.ts'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from '../helpers/auth'
import { UserSocketClient } from '../helpers/userSocket'
import { waitFor } from '../helpers/waitFor'
import { freePort, startHarness } from '../helpers/worker'

const keys = createTestKeys()
const received: Array<{ url: string; body: string }> = []
const catcher = createServer((req: IncomingMessage, res) => {
	let body = ''
	req.on('data', (d) => (body += d))
	req.on('end', () => {
		received.push({ url: req.url ?? '', body })
		res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
	})
})
let harness: Awaited<ReturnType<typeof startHarness>>
let catcherPort: number

/** The events received after `from` whose body carries the Sentry tag component=`component`. */
const eventsOf = (component: string, from = 0) => received.slice(from).filter((r) => r.body.includes(`"component":"${component}"`))

beforeAll(async () => {
	catcherPort = await new Promise<number>((resolve) => catcher.listen(0, '127.0.0.1', () => resolve((catcher.address() as { port: number }).port)))
	// Postgres that nobody listens on: the files API fails the way an outage would.
	const deadPort = await freePort()
	harness = await startHarness({
		DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPort}/sync_worker`,
		// Nobody listens there, so there is no slot to make or drop.
		REPLICATION_SLOT: 'sw_unreachable',
		CLERK_JWT_KEY: keys.publicPem,
		ALLOWED_ORIGINS: TEST_ORIGIN,
		SENTRY_DSN: `http://publickey@127.0.0.1:${catcherPort}/42`,
	})
})

afterAll(async () => {
	await harness?.server.close()
	catcher.close()
})

it('answers 500 JSON without internals and reports the error to Sentry', async () => {
	const token = await keys.token(`user_${Date.now()}`)
	const res = await fetch(`${harness.url}/app/files`, { headers: { Authorization: `Bearer ${token}` } })
	expect(res.status).toBe(500)
	const body = (await res.json()) as Record<string, unknown>
	expect(body).toEqual({ error: 'internal error', code: 'INTERNAL' })

	await waitFor(() => received.length > 0, 'the event at the catcher')
	expect(received[0]!.url).toContain('/api/42/')
	expect(eventsOf('worker')).toHaveLength(received.length)
	expect(received[0]!.body).toMatch(/ECONNREFUSED|connect|Connection/i)
	// The token never leaves the worker.
	expect(received.map((r) => r.body).join('')).not.toContain(token)
})

it('does not report expected errors (4xx)', async () => {
	const before = received.length
	const res = await fetch(`${harness.url}/app/files`)
	expect(res.status).toBe(401)
	// A 500 sent after the 401 is reported; once its event is in, a report of the 401 would be too.
	const token = await keys.token(`user_${Date.now()}`)
	expect((await fetch(`${harness.url}/app/files`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(500)
	const outage = /ECONNREFUSED|connect|Connection/i
	await waitFor(() => received.slice(before).some((r) => outage.test(r.body)), 'the event of the later 500')
	expect(received.slice(before).map((r) => outage.test(r.body))).toEqual([true])
})

describe('the Durable Objects report as themselves', () => {
	// A database the Worker can use (users exist) but where the user object's reads fail (no file_state)
	// and the replicator's stream cannot start (its slot exists with another output plugin).
	const dbName = `sw_broken_${Date.now().toString(36)}`
	const slot = `${dbName}_slot`
	let url: string
	let broken: Awaited<ReturnType<typeof startHarness>>

	beforeAll(async () => {
		const admin = new pg.Client({ connectionString: requireDatabaseUrl() })
		await admin.connect()
		await admin.query(`CREATE DATABASE ${dbName}`)
		await admin.end()
		const u = new URL(requireDatabaseUrl())
		u.pathname = `/${dbName}`
		url = u.toString()
		await migrateToLatest(url)
		const db = new pg.Client({ connectionString: url })
		await db.connect()
		await db.query('DROP TABLE file_state CASCADE')
		await db.query(`SELECT pg_create_logical_replication_slot('${slot}', 'test_decoding')`)
		await db.end()
		broken = await startHarness({ DATABASE_URL: url, REPLICATION_SLOT: slot, CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN, SENTRY_DSN: `http://publickey@127.0.0.1:${catcherPort}/42` })
	})

	afterAll(async () => {
		await broken?.server.close()
		const admin = new pg.Client({ connectionString: requireDatabaseUrl() })
		admin.on('error', () => {})
		await admin.connect()
		await admin.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL', [slot]).catch(() => {})
		await admin.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => {})
		await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((err) => console.warn('could not drop', dbName, err.message))
		await admin.end()
	})

	it('user: a connect whose data cannot be read fails and is reported as component=user; replicator: a stream that cannot start as component=replicator', async () => {
		const before = received.length
		const userId = `user_${Date.now()}`
		// The upgrade is refused with a 500 once the user object fails to read the user's data.
		await expect(UserSocketClient.open(broken.url, userId, await keys.token(userId))).rejects.toBeTruthy()
		await waitFor(() => eventsOf('user', before).length > 0, 'the user object’s event', 15_000)
		expect(eventsOf('user', before)[0]!.body).toMatch(/file_state/)
		await waitFor(() => eventsOf('replicator', before).length > 0, 'the replicator’s event', 15_000)
		expect(eventsOf('replicator', before)[0]!.body).toMatch(/proto_version|test_decoding|option/i)
		expect(eventsOf('room', before)).toEqual([])
	})
})
