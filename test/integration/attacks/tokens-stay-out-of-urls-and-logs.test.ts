/**
 * Issue 12 item 13. A token in a URL ends up in request logs, proxies and browser history, so only
 * WebSocket upgrades (where browsers cannot set headers) accept `?accessToken=`; every HTTP route answers
 * 401 with a hint to use the header. Run against a real `wrangler dev` process, whose whole log is then
 * searched: no token the test used — valid, expired or forged, in a header or a URL — appears in it.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, uniq } from '../../helpers/api'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from '../../helpers/auth'
import { outcomeOf } from '../../helpers/signedInWorker'
import { connectClient, makeGeoShape, waitForAcks, type TestClient } from '../../helpers/tldrawClient'
import { UserSocketClient } from '../../helpers/userSocket'
import { dropSlot, startWranglerDev, tempDir, type DevServer } from '../../helpers/worker'

const keys = createTestKeys()
const databaseUrl = requireDatabaseUrl()
const slot = `sw_test_${randomUUID().replaceAll('-', '').slice(0, 10)}`
const state = tempDir('tokens')
let dev: DevServer
const clients: TestClient[] = []
const usedTokens: string[] = []

beforeAll(async () => {
	dev = await startWranglerDev({
		persistTo: state.dir,
		vars: { DATABASE_URL: databaseUrl, CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN, REPLICATION_SLOT: slot },
	})
})
afterAll(async () => {
	for (const c of clients) c.close()
	await dev?.kill('SIGTERM')
	await dropSlot(databaseUrl, slot)
	state.remove()
})

const api = apiClient(() => dev.url)
async function token(userId: string, opts: Parameters<typeof keys.token>[1] = {}) {
	const t = await keys.token(userId, opts)
	usedTokens.push(t)
	return t
}

describe('tokens stay out of URLs and logs', () => {
	it('HTTP routes refuse a token in the URL with a hint; WebSocket upgrades accept it; the log holds no token', async () => {
		const ownerId = `owner_${uniq()}`
		const owner = await token(ownerId)
		const created = await api('POST', '/app/files', { token: owner, body: { name: 'Tokens' } })
		expect(created.status).toBe(201)
		const fileId = created.body.id as string

		for (const path of ['/app/files', `/app/file/${fileId}`, `/app/file/${fileId}/snapshot`, '/unfurl?url=https://example.com/']) {
			const sep = path.includes('?') ? '&' : '?'
			const res = await api('GET', `${path}${sep}accessToken=${encodeURIComponent(owner)}`)
			expect(res, path).toMatchObject({ status: 401, body: { code: 'NOT_AUTHENTICATED' } })
			expect(res.body.error).toMatch(/Authorization: Bearer/)
			expect(JSON.stringify(res.body)).not.toContain(owner)
		}
		// Beside a valid header too: the URL copy is what leaks.
		expect((await api('GET', `/app/files?accessToken=${encodeURIComponent(owner)}`, { token: owner })).status).toBe(401)

		// WebSocket upgrades take it from the URL: a file room and the user socket.
		const room = connectClient(`${dev.url}/app/file/${fileId}`, { accessToken: owner })
		clients.push(room)
		expect(await outcomeOf(room)).toBe('rw')
		room.store.put([makeGeoShape(room.store, 'shape:tokens')])
		await waitForAcks(room)
		const userSocket = await UserSocketClient.open(dev.url, ownerId, owner)
		await userSocket.waitFor((m) => m.type === 'init', 'init')
		userSocket.close()

		// Bad tokens, in both places, on both kinds of route.
		const expired = await token(ownerId, { ttlSeconds: -60 })
		const forged = (await token(`mallory_${uniq()}`)).slice(0, -4) + 'AAAA'
		usedTokens.push(forged)
		for (const bad of [expired, forged]) {
			expect((await api('GET', '/app/files', { token: bad })).status).toBe(401)
			const c = connectClient(`${dev.url}/app/file/${fileId}`, { accessToken: bad })
			clients.push(c)
			expect(await outcomeOf(c)).toBe('NOT_AUTHENTICATED')
		}

		const log = dev.output()
		expect(log).toMatch(/GET \/app\/files/) // the log does record these requests
		for (const t of usedTokens) {
			expect(log).not.toContain(t)
			// Nor a recognisable part of one (a logger could cut long values).
			expect(log).not.toContain(t.split('.')[2]!.slice(0, 40))
		}
		expect(log).not.toMatch(/accessToken=/)
	})
})
