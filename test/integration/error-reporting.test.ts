/**
 * Unexpected errors: the client gets a 500 JSON body with no details, and Sentry (toucan-js) gets the
 * event — here a local catcher on 127.0.0.1 stands in for Sentry's ingest endpoint.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestKeys, TEST_ORIGIN } from '../helpers/auth'
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

beforeAll(async () => {
	const catcherPort = await new Promise<number>((resolve) => catcher.listen(0, '127.0.0.1', () => resolve((catcher.address() as { port: number }).port)))
	// Postgres that nobody listens on: the files API fails the way an outage would.
	const deadPort = await freePort()
	harness = await startHarness({
		DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPort}/sync_worker`,
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

	const deadline = Date.now() + 10_000
	while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
	expect(received.length).toBeGreaterThan(0)
	expect(received[0]!.url).toContain('/api/42/')
	expect(received[0]!.body).toMatch(/ECONNREFUSED|connect|Connection/i)
	// The token never leaves the worker.
	expect(received.map((r) => r.body).join('')).not.toContain(token)
})

it('does not report expected errors (4xx)', async () => {
	const before = received.length
	const res = await fetch(`${harness.url}/app/files`)
	expect(res.status).toBe(401)
	await new Promise((r) => setTimeout(r, 300))
	expect(received.length).toBe(before)
})
