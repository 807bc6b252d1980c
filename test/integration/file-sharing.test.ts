/**
 * Files with Clerk auth and sharing, end to end: the real worker (wrangler's test harness) against the
 * test run's Postgres, real signed tokens, and real tldraw clients on /app/file/:fileId.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, sendUntilRateLimited, uniq } from '../helpers/api'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from '../helpers/auth'
import { ProtocolClient } from '../helpers/protocolClient'
import { connectClient, makeGeoShape, schema, waitFor, waitForAcks, type TestClient } from '../helpers/tldrawClient'
import { startHarness } from '../helpers/worker'

const keys = createTestKeys()
let harness: Awaited<ReturnType<typeof startHarness>>
const clients: TestClient[] = []

beforeAll(async () => {
	harness = await startHarness({ DATABASE_URL: requireDatabaseUrl(), CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN })
})

afterAll(async () => {
	for (const c of clients) c.close()
	await harness?.server.close()
})

const api = apiClient(() => harness.url)

interface Actor {
	userId: string
	token: string
}
async function actor(name: string): Promise<Actor> {
	const userId = `${name}_${uniq()}`
	return { userId, token: await keys.token(userId, { name }) }
}

async function createFile(owner: Actor, body: object = {}) {
	const res = await api('POST', '/app/files', { token: owner.token, body })
	expect(res.status).toBe(201)
	return res.body as { id: string; name: string }
}

function open(fileId: string, who: Actor | null) {
	const c = connectClient(`${harness.url}/app/file/${fileId}`, who ? { accessToken: who.token } : {})
	clients.push(c)
	return c
}

type Outcome = 'rw' | 'ro' | 'NOT_AUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND'
async function outcomeOf(c: TestClient): Promise<Outcome> {
	const result = await Promise.race([c.loaded.then(() => 'loaded' as const), c.syncError])
	if (result === 'loaded') return c.isReadonly() ? 'ro' : 'rw'
	return result as Outcome
}

describe('who can open a file', () => {
	it.each([
		// sharing state, owner, signed-in stranger, anonymous
		['private', {}, 'rw', 'FORBIDDEN', 'NOT_AUTHENTICATED'],
		['view link', { shared: true, sharedLinkType: 'view' }, 'rw', 'ro', 'ro'],
		['edit link', { shared: true, sharedLinkType: 'edit' }, 'rw', 'rw', 'rw'],
		['published but private', { published: true }, 'rw', 'FORBIDDEN', 'NOT_AUTHENTICATED'],
	] as const)('%s: owner %s, stranger %s, anonymous %s', async (_state, patch, ownerSees, strangerSees, anonSees) => {
		const owner = await actor('owner')
		const stranger = await actor('stranger')
		const file = await createFile(owner)
		if (Object.keys(patch).length) expect((await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: patch })).status).toBe(200)
		const [o, s, a] = [open(file.id, owner), open(file.id, stranger), open(file.id, null)]
		expect([await outcomeOf(o), await outcomeOf(s), await outcomeOf(a)]).toEqual([ownerSees, strangerSees, anonSees])
	})

	it('a deleted file is NOT_FOUND for everyone, its owner included', async () => {
		const owner = await actor('owner')
		const file = await createFile(owner)
		expect((await api('DELETE', `/app/file/${file.id}`, { token: owner.token })).status).toBe(200)
		expect(await outcomeOf(open(file.id, owner))).toBe('NOT_FOUND')
		expect(await outcomeOf(open('no-such-file', owner))).toBe('NOT_FOUND')
	})

	it('an expired or forged token is refused with NOT_AUTHENTICATED', async () => {
		const owner = await actor('owner')
		const file = await createFile(owner, { name: 'x' })
		await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: { shared: true } })
		const expired = await keys.token(owner.userId, { ttlSeconds: -60 })
		expect(await outcomeOf(connectClient(`${harness.url}/app/file/${file.id}`, { accessToken: expired }))).toBe('NOT_AUTHENTICATED')
		const forged = await createTestKeys().token(owner.userId)
		expect(await outcomeOf(connectClient(`${harness.url}/app/file/${file.id}`, { accessToken: forged }))).toBe('NOT_AUTHENTICATED')
	})

	it('a read-only guest keeps receiving and its edits are discarded', async () => {
		const owner = await actor('owner')
		const guest = await actor('guest')
		const file = await createFile(owner)
		await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: { shared: true, sharedLinkType: 'view' } })
		const o = open(file.id, owner)
		const g = open(file.id, guest)
		await Promise.all([o.loaded, g.loaded])
		g.store.put([makeGeoShape(g.store, 'guest-edit')])
		await waitForAcks(g)
		await waitFor(() => !g.store.has('shape:guest-edit' as never), 'the guest edit to be rolled back')
		o.store.put([makeGeoShape(o.store, 'owner-edit')])
		await waitFor(() => g.store.has('shape:owner-edit' as never), 'the guest to receive the owner edit')
		expect(o.store.has('shape:guest-edit' as never)).toBe(false)
	})
})

describe('owner changes reach live sessions', () => {
	it('making a file private closes guests within 5 s (FORBIDDEN / NOT_AUTHENTICATED); the owner stays', async () => {
		const owner = await actor('owner')
		const guest = await actor('guest')
		const file = await createFile(owner)
		await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: { shared: true } })
		const [o, g, a] = [open(file.id, owner), open(file.id, guest), open(file.id, null)]
		await Promise.all([o.loaded, g.loaded, a.loaded])
		const t0 = Date.now()
		expect((await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: { shared: false } })).status).toBe(200)
		const within5s = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, j) => setTimeout(() => j(new Error('not within 5 s')), 5_000))])
		expect(await within5s(g.syncError)).toBe('FORBIDDEN')
		expect(await within5s(a.syncError)).toBe('NOT_AUTHENTICATED')
		expect(Date.now() - t0).toBeLessThan(5_000)
		o.store.put([makeGeoShape(o.store, 'still-mine')])
		await waitForAcks(o)
		expect(o.socket.connectionStatus).toBe('online')
	})

	it('edit link → view link turns connected editors read-only within 5 s', async () => {
		const owner = await actor('owner')
		const guest = await actor('guest')
		const file = await createFile(owner)
		await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: { shared: true, sharedLinkType: 'edit' } })
		const g = open(file.id, guest)
		await g.loaded
		expect(g.isReadonly()).toBe(false)
		await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: { sharedLinkType: 'view' } })
		await waitFor(() => g.isReadonly() === true, 'the guest to rejoin read-only', 5_000)
		g.store.put([makeGeoShape(g.store, 'too-late')])
		await waitForAcks(g)
		await waitFor(() => !g.store.has('shape:too-late' as never), 'the edit to be discarded')
	})

	it('a rename shows up in the document name of connected clients; delete closes everyone with NOT_FOUND', async () => {
		const owner = await actor('owner')
		const file = await createFile(owner, { name: 'Before' })
		const o = open(file.id, owner)
		await o.loaded
		const docName = () => (o.store.get('document:document' as never) as { name: string } | undefined)?.name
		expect(docName()).toBe('Before')
		await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: { name: 'After' } })
		await waitFor(() => docName() === 'After', 'the new name in the document')
		await api('DELETE', `/app/file/${file.id}`, { token: owner.token })
		expect(await o.syncError).toBe('NOT_FOUND')
	})
})

describe('files API', () => {
	it('creates, lists, reads, renames, shares and deletes a file; visitors see files they opened', async () => {
		const owner = await actor('owner')
		const visitor = await actor('visitor')
		const file = await createFile(owner, { name: 'Plans' })
		expect(file).toMatchObject({ name: 'Plans', shared: false, isOwner: true })

		const patched = await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: { name: 'Plans v2', shared: true, sharedLinkType: 'view' } })
		expect(patched.body).toMatchObject({ name: 'Plans v2', shared: true, sharedLinkType: 'view' })
		expect((await api('GET', `/app/file/${file.id}`, { token: visitor.token })).body).toMatchObject({ isOwner: false, isReadonly: true })

		expect((await api('GET', '/app/files', { token: visitor.token })).body.files).toEqual([])
		const v = open(file.id, visitor)
		await v.loaded
		const listed = (await api('GET', '/app/files', { token: visitor.token })).body.files as Array<{ id: string; lastVisitAt: string }>
		expect(listed.map((f) => f.id)).toEqual([file.id])
		expect(listed[0]!.lastVisitAt).toBeTruthy()
		expect(((await api('GET', '/app/files', { token: owner.token })).body.files as Array<{ id: string }>).map((f) => f.id)).toContain(file.id)

		expect((await api('DELETE', `/app/file/${file.id}`, { token: owner.token })).body).toEqual({ id: file.id, isDeleted: true })
		expect((await api('GET', `/app/file/${file.id}`, { token: owner.token })).status).toBe(404)
		expect(((await api('GET', '/app/files', { token: owner.token })).body.files as Array<{ id: string }>).map((f) => f.id)).not.toContain(file.id)
	})

	it('imports a .tldr document that the room serves on first open', async () => {
		const owner = await actor('owner')
		const page = { id: 'page:p1', typeName: 'page', name: 'Imported page', index: 'a1', meta: {} }
		const doc = { id: 'document:document', typeName: 'document', gridSize: 10, name: '', meta: {} }
		const tldr = {
			tldrawFileFormatVersion: 1,
			schema: schema.serialize(),
			records: [doc, page],
		}
		const file = await createFile(owner, { snapshot: tldr, name: 'From disk' })
		const o = open(file.id, owner)
		await o.loaded
		expect((o.store.get('page:p1' as never) as { name: string } | undefined)?.name).toBe('Imported page')
	})

	it.each([
		['no token', 'GET', '/app/files', undefined, null, 401, 'NOT_AUTHENTICATED'],
		['a garbage token', 'GET', '/app/files', undefined, 'garbage', 401, 'NOT_AUTHENTICATED'],
		['a wrong type', 'POST', '/app/files', { name: 42 }, 'owner', 400, 'BAD_REQUEST'],
		['an unknown field', 'POST', '/app/files', { name: 'x', admin: true }, 'owner', 400, 'BAD_REQUEST'],
		['a bad snapshot', 'POST', '/app/files', { snapshot: { records: 'nope' } }, 'owner', 400, 'INVALID_SNAPSHOT'],
		['not JSON', 'POST', '/app/files', '{"name":', 'owner', 400, 'BAD_REQUEST'],
		['an oversized body', 'POST', '/app/files', { name: 'x'.repeat(11 * 1024 * 1024) }, 'owner', 413, 'PAYLOAD_TOO_LARGE'],
		['an id that does not match', 'GET', '/app/file/bad%20id', undefined, 'owner', 400, 'INVALID_ID'],
		['a missing file', 'GET', '/app/file/missing-file', undefined, 'owner', 404, 'NOT_FOUND'],
		['an empty PATCH', 'PATCH', '/app/file/whatever', {}, 'owner', 400, 'BAD_REQUEST'],
		['a bad sharedLinkType', 'PATCH', '/app/file/whatever', { sharedLinkType: 'admin' }, 'owner', 400, 'BAD_REQUEST'],
	] as const)('%s → %s %s', async (_what, method, path, body, who, status, code) => {
		const owner = await actor('owner')
		const token = who === 'owner' ? owner.token : (who ?? undefined)
		const res = await api(method, path, { token, body })
		expect(res.status).toBe(status)
		expect(res.body).toMatchObject({ code })
		expect(typeof res.body.error).toBe('string')
	})

	it('only the owner may change or delete a file (403), and a form post is refused (415)', async () => {
		const owner = await actor('owner')
		const other = await actor('other')
		const file = await createFile(owner)
		expect((await api('PATCH', `/app/file/${file.id}`, { token: other.token, body: { name: 'mine now' } })).status).toBe(403)
		expect((await api('DELETE', `/app/file/${file.id}`, { token: other.token })).status).toBe(403)
		const form = await api('PATCH', `/app/file/${file.id}`, { token: owner.token, body: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
		expect(form).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } })
	})
})

describe('rate limits', () => {
	it('answers 429 JSON with Retry-After once a user passes the API limit (300/min)', async () => {
		const busy = await actor('busy')
		const last = await sendUntilRateLimited(() => api('GET', '/app/files', { token: busy.token }), 601)
		expect(last.status).toBe(429)
		expect(last.body).toMatchObject({ code: 'RATE_LIMITED' })
		expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0)
		// Another user is unaffected.
		expect((await api('GET', '/app/files', { token: (await actor('calm')).token })).status).toBe(200)
	})

	it('closes anonymous room connections from one IP past the connect limit with RATE_LIMITED', async () => {
		const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`
		let reason: string | null = null
		for (let i = 0; i < 121 && !reason; i++) { // twice the limit: a fixed window may reset once
			const res = await harness.server.fetch(`/r/ip-limit-${i}?sessionId=s${i}`, { headers: { Upgrade: 'websocket', 'cf-connecting-ip': ip } })
			expect(res.status).toBe(101)
			const ws = res.webSocket!
			const client = new ProtocolClient(ws as never)
			ws.accept()
			// A connection over the limit is closed at once; one under it answers the protocol's connect.
			const got = await client.connect().then(
				() => null,
				async () => (await client.waitClosed()).reason,
			)
			if (got) reason = got
			else ws.close(1000)
		}
		expect(reason).toBe('RATE_LIMITED')
	})
})
