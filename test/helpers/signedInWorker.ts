/**
 * The real worker (wrangler's test harness) with Clerk test keys and the run's Postgres, and the actors an
 * end-to-end test needs: signed-in users, their user-data sockets, tldraw clients on file rooms, plain SQL.
 * Registers its own beforeAll/afterAll; call it at the top level of a test file.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect } from 'vitest'
import { apiClient, uniq } from './api'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from './auth'
import { connectClient, type TestClient } from './tldrawClient'
import { UserSocketClient } from './userSocket'
import { startHarness } from './worker'

export interface Actor {
	userId: string
	token: string
}

export function useSignedInWorker(vars: Record<string, string> = {}) {
	const keys = createTestKeys()
	const databaseUrl = requireDatabaseUrl()
	let harness: Awaited<ReturnType<typeof startHarness>> | undefined
	let pool: pg.Pool | undefined
	const sockets: UserSocketClient[] = []
	const clients: TestClient[] = []

	beforeAll(async () => {
		pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
		pool.on('error', () => {})
		harness = await startHarness({ DATABASE_URL: databaseUrl, CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN, ...vars })
	})
	afterAll(async () => {
		for (const s of sockets) s.close()
		for (const c of clients) c.close()
		await harness?.server.close()
		await pool?.end()
	})

	const url = () => harness!.url
	const api = apiClient(url)
	return {
		url,
		/** wrangler's harness itself: storage inspection, evictions. */
		server: () => harness!.server,
		api,
		keys,
		sql: (text: string, values: unknown[] = []) => pool!.query(text, values),
		async user(name: string): Promise<Actor> {
			const userId = `${name}_${uniq()}`
			return { userId, token: await keys.token(userId, { name }) }
		},
		async createFile(owner: Actor, body: object = {}): Promise<{ id: string; name: string }> {
			const res = await api('POST', '/app/files', { token: owner.token, body })
			expect(res.status, JSON.stringify(res.body)).toBe(201)
			return res.body
		},
		async patchFile(owner: Actor, fileId: string, body: object) {
			const res = await api('PATCH', `/app/file/${fileId}`, { token: owner.token, body })
			expect(res.status, JSON.stringify(res.body)).toBe(200)
			return res.body
		},
		/** A user-data socket that has received its `init`. */
		async openUserSocket(who: Actor): Promise<UserSocketClient> {
			const s = await UserSocketClient.open(url(), who.userId, who.token)
			sockets.push(s)
			await s.waitFor((m) => m.type === 'init', 'init')
			return s
		},
		/** A real tldraw client on a file's room (not awaited: race `loaded` against `syncError`). */
		openFile(fileId: string, who: Actor | null, opts: { sessionId?: string } = {}): TestClient {
			const c = connectClient(`${url()}/app/file/${fileId}`, { ...opts, ...(who ? { accessToken: who.token } : {}) })
			clients.push(c)
			return c
		},
	}
}

/** How a tldraw client's connection ended up: loaded (read-write or read-only) or the close reason. */
export async function outcomeOf(c: TestClient): Promise<string> {
	const result = await Promise.race([c.loaded.then(() => 'loaded' as const), c.syncError])
	if (result === 'loaded') return c.isReadonly() ? 'ro' : 'rw'
	return result
}
