/**
 * A normal session of requests leaves no error in the worker's log: database connections are closed the
 * way workerd expects (no "postgres pool error: This socket has been closed." after each request).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { apiClient } from '../helpers/api'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from '../helpers/auth'
import { connectClient } from '../helpers/tldrawClient'
import { UserSocketClient } from '../helpers/userSocket'
import { startHarness } from '../helpers/worker'

const keys = createTestKeys()
let harness: Awaited<ReturnType<typeof startHarness>>
const api = apiClient(() => harness.url)

beforeAll(async () => {
	harness = await startHarness({ DATABASE_URL: requireDatabaseUrl(), CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN })
})

afterAll(async () => {
	await harness?.server.close()
})

it('create, list, read, rename and delete a file: the log holds no error', async () => {
	const token = await keys.token(`quiet_${Date.now().toString(36)}`)
	harness.server.clearLogs()
	const created = await api('POST', '/app/files', { token, body: { name: 'Quiet' } })
	expect(created.status).toBe(201)
	const id = (created.body as { id: string }).id
	expect((await api('GET', '/app/files', { token })).status).toBe(200)
	expect((await api('GET', `/app/file/${id}`, { token })).status).toBe(200)
	expect((await api('PATCH', `/app/file/${id}`, { token, body: { name: 'Still quiet' } })).status).toBe(200)
	expect((await api('GET', `/app/file/${id}/snapshot`, { token })).status).toBe(200)
	expect((await api('DELETE', `/app/file/${id}`, { token })).status).toBe(200)
	expect(errorsInLog()).toEqual([])
})

it('a file room and the user-data socket (which start the replicator): the log holds no error', async () => {
	const userId = `quiet_${Date.now().toString(36)}`
	const token = await keys.token(userId)
	const id = ((await api('POST', '/app/files', { token, body: {} })).body as { id: string }).id
	harness.server.clearLogs()
	const socket = await UserSocketClient.open(harness.url, userId, token)
	await socket.waitFor((m) => m.type === 'init', 'init')
	const client = connectClient(`${harness.url}/app/file/${id}`, { accessToken: token })
	await client.loaded
	// A row change reaches the user socket: the replication stream ran, with its slot checks, meanwhile.
	expect((await api('PATCH', `/app/file/${id}`, { token, body: { name: 'Renamed quietly' } })).status).toBe(200)
	await socket.waitFor((m) => m.type === 'changes' && JSON.stringify(m.changes).includes('Renamed quietly'), 'the replicated rename')
	client.close()
	socket.close()
	expect(errorsInLog()).toEqual([])
})

function errorsInLog() {
	return harness.server.getLogs().filter((l) => l.level === 'error' || /error/i.test(l.message))
}
