/**
 * Uploading and serving assets, end to end: the real worker (wrangler's test harness) with its local R2
 * bucket and queue, the test run's Postgres for files and the `asset` rows the queue consumer writes,
 * and real signed tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAssetRepository } from '../../src/assets/AssetRepository'
import { MAX_UPLOAD_BYTES } from '../../src/assets/checkUpload'
import { createDb } from '../../src/db/createDb'
import { IMPOSTORS, pngOfSize, SAMPLE_UPLOADS } from '../fakes/uploadFixtures'
import { uniq } from '../helpers/api'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from '../helpers/auth'
import { startHarness } from '../helpers/worker'
import { waitFor } from '../helpers/waitFor'

const keys = createTestKeys()
let harness: Awaited<ReturnType<typeof startHarness>>
let database: ReturnType<typeof createDb>
const PNG = SAMPLE_UPLOADS['image/png']

beforeAll(async () => {
	harness = await startHarness({ DATABASE_URL: requireDatabaseUrl(), CLERK_JWT_KEY: keys.publicPem, ALLOWED_ORIGINS: TEST_ORIGIN })
	database = createDb(requireDatabaseUrl())
})

afterAll(async () => {
	await database?.close()
	await harness?.server.close()
})

interface Actor {
	userId: string
	token: string
}
async function actor(name: string): Promise<Actor> {
	const userId = `${name}_${uniq()}`
	return { userId, token: await keys.token(userId, { name }) }
}

async function createFile(owner: Actor, patch: Record<string, unknown> = {}): Promise<string> {
	const headers = { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/json' }
	const created = await fetch(`${harness.url}/app/files`, { method: 'POST', headers, body: '{}' })
	expect(created.status).toBe(201)
	const { id } = (await created.json()) as { id: string }
	if (Object.keys(patch).length) {
		const patched = await fetch(`${harness.url}/app/file/${id}`, { method: 'PATCH', headers, body: JSON.stringify(patch) })
		expect(patched.status).toBe(200)
	}
	return id
}

async function upload(who: Actor | null, objectName: string, opts: { fileId?: string; body?: Uint8Array; type?: string; path?: string } = {}) {
	const headers: Record<string, string> = { 'Content-Type': opts.type ?? 'image/png' }
	if (who) headers.Authorization = `Bearer ${who.token}`
	const query = opts.fileId === undefined ? '' : `?fileId=${encodeURIComponent(opts.fileId)}`
	const res = await fetch(`${harness.url}${opts.path ?? '/app/uploads'}/${objectName}${query}`, { method: 'POST', headers, body: opts.body ?? PNG })
	return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const get = (objectName: string, headers: Record<string, string> = {}) => fetch(`${harness.url}/app/uploads/${objectName}`, { headers })

async function waitForAssetRow(objectName: string, timeoutMs = 20_000) {
	const repo = createAssetRepository(database.db)
	return waitFor(() => repo.getAsset(objectName), `the asset row of ${objectName}`, timeoutMs)
}

describe('upload, serve, record', () => {
	it('stores an image, serves it with immutable caching, and the queue records its asset row', async () => {
		const owner = await actor('owner')
		const fileId = await createFile(owner)
		const name = `${uniq()}-photo.png`
		const res = await upload(owner, name, { fileId })
		expect(res).toEqual({
			status: 201,
			body: { objectName: name, url: `${harness.url}/app/uploads/${name}`, contentType: 'image/png', size: PNG.byteLength },
		})

		const served = await fetch(res.body.url as string)
		expect(served.status).toBe(200)
		expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG)
		expect(served.headers.get('Content-Type')).toBe('image/png')
		expect(served.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
		expect(served.headers.get('X-Content-Type-Options')).toBe('nosniff')
		expect(served.headers.get('ETag')).toMatch(/^"[0-9a-f]+"$/)

		const row = await waitForAssetRow(name)
		expect(row).toMatchObject({ objectName: name, fileId, userId: owner.userId, size: String(PNG.byteLength), contentType: 'image/png' })
	})

	it('answers 304 to a matching If-None-Match and 206 to a Range (video seeking)', async () => {
		const owner = await actor('owner')
		const fileId = await createFile(owner)
		const name = `${uniq()}-clip.mp4`
		const mp4 = SAMPLE_UPLOADS['video/mp4']
		expect((await upload(owner, name, { fileId, body: mp4, type: 'video/mp4' })).status).toBe(201)

		const first = await get(name)
		const etag = first.headers.get('ETag')!
		await first.arrayBuffer()
		const again = await get(name, { 'If-None-Match': etag })
		expect(again.status).toBe(304)
		expect(again.headers.get('ETag')).toBe(etag)

		const part = await get(name, { Range: 'bytes=4-11' })
		expect(part.status).toBe(206)
		expect(part.headers.get('Content-Range')).toBe(`bytes 4-11/${mp4.byteLength}`)
		expect(part.headers.get('Content-Type')).toBe('video/mp4')
		expect(new TextDecoder().decode(await part.arrayBuffer())).toBe('ftypisom')
	})

	it('serves an SVG under a sandboxing CSP so its scripts never run', async () => {
		const owner = await actor('owner')
		const fileId = await createFile(owner)
		const name = `${uniq()}-drawing.svg`
		const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>')
		expect((await upload(owner, name, { fileId, body: svg, type: 'image/svg+xml' })).status).toBe(201)
		const served = await get(name)
		expect(served.headers.get('Content-Type')).toBe('image/svg+xml')
		expect(served.headers.get('Content-Security-Policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox")
		expect(served.headers.get('X-Content-Type-Options')).toBe('nosniff')
	})

	it('also answers under /api', async () => {
		const owner = await actor('owner')
		const fileId = await createFile(owner)
		const name = `${uniq()}.gif`
		expect((await upload(owner, name, { fileId, body: SAMPLE_UPLOADS['image/gif'], type: 'image/gif', path: '/api/app/uploads' })).status).toBe(201)
		const served = await fetch(`${harness.url}/api/app/uploads/${name}`)
		expect(served.status).toBe(200)
		expect(served.headers.get('Content-Type')).toBe('image/gif')
	})
})

describe('who may upload', () => {
	it.each([
		// sharing state, uploader, expected status, code
		['private', 'owner', 201, undefined],
		['private', 'stranger', 403, 'FORBIDDEN'],
		['view link', 'stranger', 403, 'FORBIDDEN'],
		['edit link', 'stranger', 201, undefined],
		['edit link', 'anonymous', 401, 'NOT_AUTHENTICATED'],
		['deleted', 'owner', 404, 'NOT_FOUND'],
	] as const)('%s file, %s → %s', async (sharing, who, status, code) => {
		const owner = await actor('owner')
		const stranger = await actor('stranger')
		const patch = sharing === 'view link' ? { shared: true, sharedLinkType: 'view' } : sharing === 'edit link' ? { shared: true, sharedLinkType: 'edit' } : {}
		const fileId = await createFile(owner, patch)
		if (sharing === 'deleted') {
			expect((await fetch(`${harness.url}/app/file/${fileId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${owner.token}` } })).status).toBe(200)
		}
		const uploader = who === 'owner' ? owner : who === 'stranger' ? stranger : null
		const name = `${uniq()}.png`
		const res = await upload(uploader, name, { fileId })
		expect(res.status).toBe(status)
		if (code) expect(res.body.code).toBe(code)
		expect((await get(name)).status).toBe(status === 201 ? 200 : 404)
		if (status === 201) expect((await waitForAssetRow(name)).userId).toBe(uploader!.userId)
	})

	it('404 for a file that does not exist', async () => {
		const owner = await actor('owner')
		expect(await upload(owner, `${uniq()}.png`, { fileId: `nope${uniq()}` })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } })
	})
})

describe('no overwrite', () => {
	it('another user cannot replace an object; its owner can retry the same bytes but not change them', async () => {
		const owner = await actor('owner')
		const guest = await actor('guest')
		const fileId = await createFile(owner, { shared: true, sharedLinkType: 'edit' })
		const name = `${uniq()}-logo.png`
		expect((await upload(owner, name, { fileId })).status).toBe(201)

		expect(await upload(guest, name, { fileId, body: SAMPLE_UPLOADS['image/gif'], type: 'image/gif' })).toMatchObject({ status: 409, body: { code: 'OBJECT_EXISTS' } })
		expect(await upload(guest, name, { fileId })).toMatchObject({ status: 409, body: { code: 'OBJECT_EXISTS' } })
		expect(await upload(owner, name, { fileId, body: SAMPLE_UPLOADS['image/jpeg'], type: 'image/jpeg' })).toMatchObject({ status: 409, body: { code: 'OBJECT_EXISTS' } })
		expect(await upload(owner, name, { fileId })).toMatchObject({ status: 200, body: { objectName: name } })

		const served = await get(name)
		expect(served.headers.get('Content-Type')).toBe('image/png')
		expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG)
		expect((await waitForAssetRow(name)).userId).toBe(owner.userId)
	})
})

describe('refused uploads store nothing', () => {
	it.each([
		['HTML sent as image/png', { body: IMPOSTORS.html }, 415, 'CONTENT_TYPE_MISMATCH'],
		['an SVG sent as image/png', { body: SAMPLE_UPLOADS['image/svg+xml'] }, 415, 'CONTENT_TYPE_MISMATCH'],
		['text/html', { body: IMPOSTORS.html, type: 'text/html' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
		['an empty body', { body: new Uint8Array() }, 400, 'BAD_REQUEST'],
		['one byte over the limit', { body: pngOfSize(MAX_UPLOAD_BYTES + 1) }, 413, 'PAYLOAD_TOO_LARGE'],
		['no fileId', { fileId: null }, 400, 'INVALID_ID'],
	] as const)('%s → %s %s', async (_what, opts, status, code) => {
		const owner = await actor('owner')
		const fileId = await createFile(owner)
		const name = `${uniq()}.png`
		const res = await upload(owner, name, { ...opts, fileId: 'fileId' in opts ? undefined : fileId })
		expect(res).toMatchObject({ status, body: { code } })
		expect((await get(name)).status).toBe(404)
	})

	it.each([
		['leading dot', '.hidden.png', 400],
		['dot-dot', 'a..b.png', 400],
		['escaped slash', 'a%2Fb.png', 400],
		['too long', 'a'.repeat(201), 400],
	])('object name with %s → %s INVALID_ID', async (_what, name, status) => {
		const owner = await actor('owner')
		const fileId = await createFile(owner)
		expect(await upload(owner, name, { fileId })).toMatchObject({ status, body: { code: 'INVALID_ID' } })
	})

	it('GET of a missing object is a 404 JSON error', async () => {
		const res = await get(`${uniq()}.png`)
		expect(res.status).toBe(404)
		expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' })
	})
})
