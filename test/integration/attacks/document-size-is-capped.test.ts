/**
 * Attack (issue 12 item 8): nothing capped a document, so a writer could push megabytes a second until
 * exports, snapshots and full connects ran out of memory. Now MAX_DOCUMENT_BYTES (here 200,000 bytes)
 * is enforced, measured incrementally by SQLite triggers (src/room/DocumentSizeMeter.ts): from 80 % on,
 * every client gets a `custom` `document_size` warning; a push that could take the document past the cap
 * closes its socket with `4099 DOCUMENT_TOO_LARGE` and none of it is applied; the records API and imports
 * answer 413 DOCUMENT_TOO_LARGE; removing records always works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, uniq } from '../../helpers/api'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from '../../helpers/auth'
import { geoShape, type ServerMessage } from '../../helpers/protocolClient'
import { joinRaw } from '../../helpers/rawRoomSocket'
import { schema } from '../../helpers/tldrawClient'
import { startHarness } from '../../helpers/worker'

const MAX = 200_000
const keys = createTestKeys()
let harness: Awaited<ReturnType<typeof startHarness>>
const sockets: WebSocket[] = []
const api = apiClient(() => harness.url)

beforeAll(async () => {
	harness = await startHarness({ DATABASE_URL: requireDatabaseUrl(), CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN, MAX_DOCUMENT_BYTES: String(MAX) })
})

afterAll(async () => {
	for (const ws of sockets) ws.close()
	await harness?.server.close()
})

/** A shape carrying `bytes` of payload in its meta. */
const heavyShape = (id: string, bytes: number) => ({ ...geoShape(id), meta: { payload: 'x'.repeat(bytes) } })
const isSizeNotice = (m: ServerMessage) => m.type === 'custom' && (m.data as { type?: string })?.type === 'document_size'

async function join(path: string) {
	const s = await joinRaw(harness.url, path)
	sockets.push(s.ws)
	expect(s.refused).toBeNull()
	return s
}

describe('document size cap', () => {
	it('warns near the cap, refuses a push past it with nothing applied, and still lets clients delete', async () => {
		const roomId = `size-${uniq()}`
		const writer = await join(`/r/${roomId}`)
		const watcher = await join(`/r/${roomId}`)

		// Fill the room 20 KB at a time until the warning arrives; it must come before the cap. A second,
		// tiny push after each one is answered after any notice the first one caused (same socket, in order).
		for (let i = 0; !writer.client.messages.some(isSizeNotice); i++) {
			expect(i * 20_000, 'the warning should arrive before the document reaches the cap').toBeLessThan(MAX)
			expect((await writer.client.putRecord(heavyShape(`fill${i}`, 20_000))).action).toBe('commit')
			expect((await writer.client.patchRecord(`shape:fill${i}`, 'x', 1)).action).toBe('commit')
		}
		// Every client is told, not only the writer.
		await watcher.client.next(isSizeNotice)
		const warning = watcher.client.messages.find(isSizeNotice)!.data as { level: string; bytes: number; maxBytes: number; message: string }
		expect(warning).toMatchObject({ level: 'warning', maxBytes: MAX })
		expect(warning.bytes).toBeGreaterThanOrEqual(MAX * 0.8)
		expect(warning.bytes).toBeLessThan(MAX)
		expect(warning.message).toMatch(/limit/)

		// A push that would take the document past the cap: the socket closes, nothing of it lands.
		const from = watcher.client.messages.length
		writer.ws.send(JSON.stringify({ type: 'push', clientClock: 500, diff: { 'shape:too-much': ['put', heavyShape('too-much', 60_000)], 'shape:fill0': ['remove'] } }))
		expect(await writer.client.waitClosed()).toEqual({ code: 4099, reason: 'DOCUMENT_TOO_LARGE' })

		// A newcomer gets the document without the refused push, and the warning right after connecting.
		const late = await join(`/r/${roomId}`)
		const ids = Object.keys(late.connect!.diff as object)
		expect(ids).toContain('shape:fill0')
		expect(ids).not.toContain('shape:too-much')
		await late.client.next(isSizeNotice)

		// Deleting always works near the cap; dropping below the warning line is announced too.
		expect((await watcher.client.push({ 'shape:fill1': ['remove'] })).action).toBe('commit')
		const allClear = await late.client.next((m) => isSizeNotice(m) && (m.data as { level: string }).level === 'ok')
		expect((allClear.data as { bytes: number }).bytes).toBeLessThan(MAX * 0.8)
		expect(JSON.stringify(watcher.client.messages.slice(from))).not.toContain('too-much')
	})

	it('answers 413 DOCUMENT_TOO_LARGE to the records API and to an import, applying nothing', async () => {
		const token = await keys.token(`owner_${uniq()}`)
		const created = await api('POST', '/app/files', { token, body: {} })
		expect(created.status).toBe(201)
		const fileId = created.body.id as string

		const ok = await api('POST', `/app/file/${fileId}/records`, { token, body: { put: [heavyShape('small', 1_000)] } })
		expect(ok.status).toBe(200)
		const tooBig = await api('POST', `/app/file/${fileId}/records`, { token, body: { put: [heavyShape('big', MAX)] } })
		expect(tooBig.status).toBe(413)
		expect(tooBig.body.code).toBe('DOCUMENT_TOO_LARGE')
		const snapshot = await api('GET', `/app/file/${fileId}/snapshot`, { token })
		const ids = (snapshot.body.snapshot.documents as Array<{ state: { id: string } }>).map((d) => d.state.id)
		expect(ids).toContain('shape:small')
		expect(ids).not.toContain('shape:big')
		expect(snapshot.body.clock).toBe(ok.body.clock)

		const page = { id: 'page:p1', typeName: 'page', name: 'Imported page', index: 'a1', meta: {} }
		const doc = { id: 'document:document', typeName: 'document', gridSize: 10, name: '', meta: {} }
		const tldr = { tldrawFileFormatVersion: 1, schema: schema.serialize(), records: [doc, page, { ...heavyShape('imported', MAX), parentId: 'page:p1' }] }
		const imported = await api('POST', '/app/files', { token, body: { snapshot: tldr } })
		expect(imported.status).toBe(413)
		expect(imported.body.code).toBe('DOCUMENT_TOO_LARGE')
	})
})
