/**
 * GET /unfurl through the real worker. The only hosts reachable from tests are on loopback, which the
 * unfurler must refuse, so this file checks refusals end to end (each abusive URL → its 4xx, and a
 * loopback server that must never be contacted); parsing and redirects run against a fake fetch in
 * test/unit/unfurlUrl.test.ts.
 */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ABUSIVE_TARGETS } from '../fakes/abusiveUnfurlTargets'
import { createTestKeys, TEST_ORIGIN } from '../helpers/auth'
import { startHarness } from '../helpers/worker'

const keys = createTestKeys()
let harness: Awaited<ReturnType<typeof startHarness>>
let token: string
let trap: Server
let trapPort: number
const trapHits: string[] = []

beforeAll(async () => {
	// No DATABASE_URL: /unfurl never touches Postgres.
	harness = await startHarness({ CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN })
	token = await keys.token(`unfurler_${Date.now().toString(36)}`)
	// A page on loopback that would happily answer: any hit means a refusal leaked through.
	trap = createServer((req, res) => {
		trapHits.push(req.url ?? '')
		res.writeHead(200, { 'Content-Type': 'text/html' }).end('<title>internal admin</title>')
	})
	await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve))
	trapPort = (trap.address() as { port: number }).port
})

afterAll(async () => {
	await new Promise((resolve) => trap?.close(resolve))
	await harness?.server.close()
})

async function unfurl(url: string | null, auth: string | null = token) {
	const query = url === null ? '' : `?url=${encodeURIComponent(url)}`
	const res = await fetch(`${harness.url}/unfurl${query}`, { headers: auth ? { Authorization: `Bearer ${auth}` } : {} })
	return { status: res.status, body: (await res.json()) as { code?: string; error?: string } }
}

const STATUS = { INVALID_URL: 400, FORBIDDEN_TARGET: 403 } as const

describe('GET /unfurl refuses abusive targets', () => {
	it.each(ABUSIVE_TARGETS)('%s: %s → %s', async (_what, url, code) => {
		expect(await unfurl(url)).toMatchObject({ status: STATUS[code], body: { code } })
	})

	it.each([
		['127.0.0.1', (p: number) => `http://127.0.0.1:${p}/`],
		['localhost', (p: number) => `http://localhost:${p}/`],
		['decimal', (p: number) => `http://2130706433:${p}/`],
		['hex', (p: number) => `http://0x7f.1:${p}/`],
		['octal', (p: number) => `http://0177.0.0.1:${p}/`],
		['IPv4-mapped IPv6', (p: number) => `http://[::ffff:127.0.0.1]:${p}/`],
		['userinfo', (p: number) => `http://example.com@127.0.0.1:${p}/`],
	])('never contacts a live loopback server (%s)', async (_what, build) => {
		expect(await unfurl(build(trapPort))).toMatchObject({ status: 403, body: { code: 'FORBIDDEN_TARGET' } })
		expect(trapHits).toEqual([])
	})
})

describe('GET /unfurl requests', () => {
	it('serves signed-out callers while anonymous rooms are on (the template client), with the same refusals', async () => {
		expect(await unfurl(`http://127.0.0.1:${trapPort}/`, null)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN_TARGET' } })
		expect(trapHits).toEqual([])
	})

	it('needs a url', async () => {
		expect(await unfurl(null)).toMatchObject({ status: 400, body: { code: 'INVALID_URL' } })
	})

	it('answers under /api too', async () => {
		const res = await fetch(`${harness.url}/api/unfurl?url=${encodeURIComponent('http://10.0.0.1/')}`, { headers: { Authorization: `Bearer ${token}` } })
		expect(res.status).toBe(403)
	})

	it('a public host that cannot be reached (no internet in tests) is a 5xx upstream error within the time limit', async () => {
		const started = Date.now()
		const res = await unfurl('https://unreachable.example/')
		expect([502, 504]).toContain(res.status)
		expect(['UPSTREAM_ERROR', 'UPSTREAM_TIMEOUT']).toContain(res.body.code)
		expect(Date.now() - started).toBeLessThan(8_000)
	})
})
