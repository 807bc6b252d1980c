/**
 * Attack (issue 12 item 10): readers could hold every seat of a file's room, so its owner got ROOM_FULL
 * on their own file. Now the owner always gets in, and readers are refused first: a tenth of the seats is
 * kept for people who can edit (src/room/decideAdmission.ts). MAX_SESSIONS_PER_ROOM is 10 here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, uniq } from '../../helpers/api'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from '../../helpers/auth'
import { joinRaw } from '../../helpers/rawRoomSocket'
import { connectClient, makeGeoShape, waitForAcks, type TestClient } from '../../helpers/tldrawClient'
import { startHarness } from '../../helpers/worker'

const MAX = 10
const keys = createTestKeys()
let harness: Awaited<ReturnType<typeof startHarness>>
const clients: TestClient[] = []
const sockets: WebSocket[] = []
const api = apiClient(() => harness.url)

beforeAll(async () => {
	harness = await startHarness({ DATABASE_URL: requireDatabaseUrl(), CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN, MAX_SESSIONS_PER_ROOM: String(MAX) })
})

afterAll(async () => {
	for (const c of clients) c.close()
	for (const ws of sockets) ws.close()
	await harness?.server.close()
})

/** Opens read-only sockets until the room refuses one; returns how many got in and the refusal. */
async function fillWithReaders(path: string, token?: string) {
	for (let admitted = 0; admitted <= MAX; admitted++) {
		const reader = await joinRaw(harness.url, path, token ? { accessToken: token } : {})
		sockets.push(reader.ws)
		if (reader.refused) return { admitted, refused: reader.refused }
		expect(reader.connect?.isReadonly).toBe(true)
	}
	return { admitted: MAX + 1, refused: null }
}

describe('room capacity', () => {
	it('readers filling a view-linked file cannot lock its owner out', async () => {
		const ownerToken = await keys.token(`owner_${uniq()}`)
		const file = (await api('POST', '/app/files', { token: ownerToken, body: {} })).body as { id: string }
		await api('PATCH', `/app/file/${file.id}`, { token: ownerToken, body: { shared: true, sharedLinkType: 'view' } })
		const guestToken = await keys.token(`guest_${uniq()}`)

		const { admitted, refused } = await fillWithReaders(`/app/file/${file.id}`, guestToken)
		expect(refused).toBe('ROOM_FULL')

		// The owner joins with a stock client, twice (two tabs), and edits.
		for (let tab = 0; tab < 2; tab++) {
			const owner = connectClient(`${harness.url}/app/file/${file.id}`, { accessToken: ownerToken })
			clients.push(owner)
			const outcome = await Promise.race([owner.loaded.then(() => 'loaded'), owner.syncError])
			expect(outcome).toBe('loaded')
			expect(owner.isReadonly()).toBe(false)
			owner.store.put([makeGeoShape(owner.store, `owner-tab-${tab}`)])
			await waitForAcks(owner)
		}
		// Readers were refused a seat before the room was full, and still are.
		expect(admitted).toBe(MAX - 1)
		expect((await fillWithReaders(`/app/file/${file.id}`)).admitted).toBe(0)
	})

	it('readers of an anonymous room (by slug) leave the last seat to an editor', async () => {
		const roomId = `capacity-${uniq()}`
		const first = await joinRaw(harness.url, `/r/${roomId}`)
		sockets.push(first.ws)
		const { slug } = (await (await fetch(`${harness.url}/r/${roomId}/readonly-slug`)).json()) as { slug: string }
		const { admitted, refused } = await fillWithReaders(`/ro/${slug}`)
		expect(refused).toBe('ROOM_FULL')
		expect(admitted).toBe(MAX - 2)
		const editor = await joinRaw(harness.url, `/r/${roomId}`)
		sockets.push(editor.ws)
		expect(editor.refused).toBeNull()
		expect(editor.connect?.isReadonly).toBe(false)
		// Now the room is full for everyone but an owner (anonymous rooms have none).
		const late = await joinRaw(harness.url, `/r/${roomId}`)
		sockets.push(late.ws)
		expect(late.refused).toBe('ROOM_FULL')
	})
})
