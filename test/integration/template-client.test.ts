/**
 * tldraw's `sync-cloudflare` template client pointed at sync-worker with only its server URL changed. This
 * drives the template client's own code paths against the real worker: `useSync`'s URL
 * (`<origin>/api/connect/<roomId>` plus the sessionId/storeId it appends), its asset store (POST the File
 * to `/api/uploads/<id-filename>`, keep that URL as the asset's src, GET it back) and its bookmark handler
 * (`/api/unfurl?url=`, reading title/description/image/favicon). The template's client uses tldraw's
 * default schema, so these are stock clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendUntilRateLimited, uniq } from '../helpers/api'
import { connectClient, makeGeoShape, recordOf, stockSchema, waitFor, waitForAcks, type TestClient } from '../helpers/tldrawClient'
import { startHarness } from '../helpers/worker'

const MAX_ANONYMOUS_UPLOAD_BYTES = 4096
let harness: Awaited<ReturnType<typeof startHarness>>
let closedHarness: Awaited<ReturnType<typeof startHarness>>
const clients: TestClient[] = []

beforeAll(async () => {
	harness = await startHarness({ MAX_ANONYMOUS_UPLOAD_BYTES: String(MAX_ANONYMOUS_UPLOAD_BYTES) })
	closedHarness = await startHarness({ ANONYMOUS_ROOMS: 'false' })
})

afterAll(async () => {
	for (const c of clients) c.close()
	await harness?.server.close()
	await closedHarness?.server.close()
})

// The smallest valid PNG (1×1), so the worker's type sniffing accepts it.
const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'))

/** What the template's multiplayerAssetStore.upload does with a File, against `workerUrl` (`<origin>/api`). */
async function templateUpload(workerUrl: string, file: File, headers: Record<string, string> = {}) {
	const id = uniq()
	const objectName = `${id}-${file.name}`.replace(/[^a-zA-Z0-9.]/g, '-')
	const url = `${workerUrl}/uploads/${objectName}`
	const response = await fetch(url, { method: 'POST', body: file, headers })
	return { response, src: url, objectName }
}

/** What the template's getBookmarkPreview does: whatever the server says, a bookmark asset comes out. */
async function templateBookmarkPreview(origin: string, url: string, headers: Record<string, string> = {}) {
	const response = await fetch(`${origin}/api/unfurl?url=${encodeURIComponent(url)}`, { headers })
	const data = (await response.json()) as Record<string, unknown>
	return { status: response.status, data, props: { src: url, title: data?.title ?? '', description: data?.description ?? '', image: data?.image ?? '', favicon: data?.favicon ?? '' } }
}

function joinTemplateRoom(roomId: string) {
	// useSync({ uri: `${window.location.origin}/api/connect/${roomId}` }) with the template's default schema.
	const c = connectClient(`${harness.url}/api/connect/${roomId}`, { schema: stockSchema })
	clients.push(c)
	return c
}

describe('the sync-cloudflare template client', () => {
	it('syncs through /api/connect/:roomId, uploads an image through /api/uploads and every client loads it', async () => {
		const roomId = `template-${uniq()}`
		const a = joinTemplateRoom(roomId)
		const b = joinTemplateRoom(roomId)
		await Promise.all([a.loaded, b.loaded])

		const upload = await templateUpload(`${harness.url}/api`, new File([PNG], 'My photo (1).png', { type: 'image/png' }))
		expect(upload.response.ok).toBe(true)
		expect(upload.response.status).toBe(201)

		const assetId = `asset:${uniq()}`
		const page = a.store.allRecords().find((r) => r.typeName === 'page')!
		a.store.put([
			{
				id: assetId, typeName: 'asset', type: 'image', meta: {},
				props: { src: upload.src, w: 1, h: 1, name: 'My photo (1).png', isAnimated: false, mimeType: 'image/png', fileSize: PNG.byteLength },
			} as never,
			{ ...makeGeoShape(a.store, 'frame-for-photo'), parentId: page.id } as never,
		])
		await waitFor(() => recordOf(b, assetId) !== undefined, 'the image asset on the second client')
		await waitForAcks(a)

		// The second client resolves the asset the template's way (`resolve` returns props.src) and loads it.
		const src = recordOf<{ props: { src: string } }>(b, assetId)!.props.src
		const image = await fetch(src)
		expect(image.status).toBe(200)
		expect(image.headers.get('content-type')).toBe('image/png')
		expect(image.headers.get('content-security-policy')).toContain('sandbox')
		expect(new Uint8Array(await image.arrayBuffer())).toEqual(PNG)
	})

	it('keeps the upload checks: never overwrites, sniffs the type, caps the size at MAX_ANONYMOUS_UPLOAD_BYTES', async () => {
		const first = await templateUpload(`${harness.url}/api`, new File([PNG], 'a.png', { type: 'image/png' }))
		expect(first.response.status).toBe(201)
		const again = await fetch(first.src, { method: 'POST', body: new File([PNG], 'a.png', { type: 'image/png' }) })
		expect(again.status).toBe(200) // the same bytes again: an idempotent retry
		const other = await fetch(first.src, { method: 'POST', body: new File([PNG, new Uint8Array([0])], 'a.png', { type: 'image/png' }) })
		expect(other.status).toBe(409)
		expect(await other.json()).toMatchObject({ code: 'OBJECT_EXISTS' })

		const html = await templateUpload(`${harness.url}/api`, new File(['<html><script>alert(1)</script>'], 'x.png', { type: 'image/png' }))
		expect(html.response.status).toBe(415)
		const big = await templateUpload(`${harness.url}/api`, new File([PNG, new Uint8Array(MAX_ANONYMOUS_UPLOAD_BYTES)], 'big.png', { type: 'image/png' }))
		expect(big.response.status).toBe(413)
		expect(await big.response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
		expect((await fetch(big.src)).status).toBe(404)
	})

	it('unfurls through /api/unfurl signed out, with the same SSRF refusals, and the template builds its bookmark from the answer', async () => {
		const refused = await templateBookmarkPreview(harness.url, 'http://169.254.169.254/latest/meta-data/')
		expect(refused.status).toBe(403)
		expect(refused.data).toMatchObject({ code: 'FORBIDDEN_TARGET' })
		expect(refused.props).toEqual({ src: 'http://169.254.169.254/latest/meta-data/', title: '', description: '', image: '', favicon: '' })
	})

	it('limits signed-out uploads and unfurls per IP (ANONYMOUS_API_RATE_LIMITER, 60/min), one IP at a time', async () => {
		const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`
		const unfurlFrom = (from: string) => harness.server.fetch(`/api/unfurl?url=${encodeURIComponent('http://10.0.0.1/')}`, { headers: { 'cf-connecting-ip': from } })
		// A fixed 60-request window may reset once mid-loop, so 121 requests always cross the limit.
		const last = await sendUntilRateLimited(() => unfurlFrom(ip), 122)
		expect(last.status).toBe(429)
		expect(await last.json()).toMatchObject({ code: 'RATE_LIMITED' })
		const upload = await harness.server.fetch(`/api/uploads/${uniq()}-x.png`, { method: 'POST', body: PNG, headers: { 'Content-Type': 'image/png', 'cf-connecting-ip': ip } })
		expect(upload.status).toBe(429)
		expect((await unfurlFrom('198.51.100.7')).status).toBe(403) // another IP still gets an answer
	})

	it('with ANONYMOUS_ROOMS=false: no anonymous rooms, uploads or unfurls', async () => {
		const connect = await closedHarness.server.fetch(`/api/connect/closed-${uniq()}?sessionId=s1`, { headers: { Upgrade: 'websocket' } })
		expect(connect.status).toBe(404)
		const upload = await templateUpload(`${closedHarness.url}/api`, new File([PNG], 'a.png', { type: 'image/png' }))
		expect(upload.response.status).toBe(404)
		const unfurl = await templateBookmarkPreview(closedHarness.url, 'https://example.com/')
		expect(unfurl.status).toBe(401)
	})
})
