import { beforeEach, describe, expect, it } from 'vitest'
import { handleAssetQueueBatch } from '../../src/assets/handleAssetQueueBatch'
import { MAX_UPLOAD_BYTES } from '../../src/assets/checkUpload'
import { handleGetUpload, handleUpload, UPLOAD_CACHE_CONTROL, UPLOAD_CSP, type AssetsEnv, type UploadDeps } from '../../src/assets/uploadsApi'
import type { Auth } from '../../src/auth/authenticateRequest'
import { errorResponse } from '../../src/http/errors'
import { FakeAssetQueue, FakeMessageBatch } from '../fakes/FakeAssetQueue'
import { FakeAssetRepository } from '../fakes/FakeAssetRepository'
import { fakeAuth } from '../fakes/fakeAuth'
import { FakeFileRepository } from '../fakes/FakeFileRepository'
import { MemoryUploadStore } from '../fakes/MemoryUploadStore'
import { IMPOSTORS, pngOfSize, SAMPLE_UPLOADS } from '../fakes/uploadFixtures'

const ORIGIN = 'https://sync.example'
const PNG = SAMPLE_UPLOADS['image/png']
// The handlers only reach env when no store/queue is injected; these tests always inject both.
const env = {} as AssetsEnv

let repo: FakeFileRepository
let store: MemoryUploadStore
let queue: FakeAssetQueue

beforeEach(async () => {
	repo = new FakeFileRepository()
	store = new MemoryUploadStore()
	queue = new FakeAssetQueue()
	await repo.upsertUser({ id: 'owner' })
	await repo.createFile({ id: 'private', ownerId: 'owner' })
	await repo.createFile({ id: 'viewlink', ownerId: 'owner', shared: true, sharedLinkType: 'view' })
	await repo.createFile({ id: 'editlink', ownerId: 'owner', shared: true, sharedLinkType: 'edit' })
	await repo.createFile({ id: 'gone', ownerId: 'owner' })
	await repo.softDeleteFile('gone')
})

function deps(auth: Auth | null): UploadDeps {
	return { auth, withRepo: (fn) => fn(repo), store, queue }
}

function uploadRequest(objectName: string, opts: { fileId?: string | null; body?: Uint8Array | ReadableStream; type?: string | null; headers?: Record<string, string> } = {}) {
	const fileId = opts.fileId === undefined ? 'private' : opts.fileId
	const headers = new Headers(opts.headers)
	const type = opts.type === undefined ? 'image/png' : opts.type
	if (type !== null) headers.set('Content-Type', type)
	const query = fileId === null ? '' : `?fileId=${fileId}`
	return new Request(`${ORIGIN}/app/uploads/${objectName}${query}`, {
		method: 'POST',
		headers,
		body: opts.body ?? PNG,
		...(opts.body instanceof ReadableStream ? { duplex: 'half' } : {}),
	} as RequestInit)
}

/** Runs a handler the way the Worker does: a thrown ApiError becomes its JSON response. */
async function respond(p: Promise<Response>) {
	let res: Response
	try {
		res = await p
	} catch (err) {
		res = errorResponse(err)
	}
	const text = await res.text()
	return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null }
}

const upload = (auth: Auth | null, req: Request) => respond(handleUpload(req, env, deps(auth)))

describe('who may upload to a file', () => {
	it.each([
		['owner, private file', 'owner', 'private', 201, undefined],
		['stranger, private file', 'stranger', 'private', 403, 'FORBIDDEN'],
		['stranger, view link', 'stranger', 'viewlink', 403, 'FORBIDDEN'],
		['stranger, edit link', 'stranger', 'editlink', 201, undefined],
		['owner, deleted file', 'owner', 'gone', 404, 'NOT_FOUND'],
		['owner, missing file', 'owner', 'nope', 404, 'NOT_FOUND'],
		['anonymous, edit link', null, 'editlink', 401, 'NOT_AUTHENTICATED'],
	] as const)('%s (%s on %s) → %s', async (_what, user, fileId, status, code) => {
		const res = await upload(user ? fakeAuth(user) : null, uploadRequest(`obj-${fileId}`, { fileId }))
		expect(res.status).toBe(status)
		if (code) expect(res.body).toMatchObject({ code })
		expect(store.objects.size).toBe(status === 201 ? 1 : 0)
		expect(queue.sent).toHaveLength(status === 201 ? 1 : 0)
	})

	it('creates the user row of a guest, so the asset row can reference it', async () => {
		await upload(fakeAuth('guest', { name: 'Guest' }), uploadRequest('g.png', { fileId: 'editlink' }))
		expect(repo.users.get('guest')?.name).toBe('Guest')
	})
})

describe('a stored upload', () => {
	it('goes to the store with owner metadata, queues its asset row and answers where it lives', async () => {
		const res = await upload(fakeAuth('owner'), uploadRequest('abc-photo.png'))
		expect(res).toMatchObject({
			status: 201,
			body: { objectName: 'abc-photo.png', url: `${ORIGIN}/app/uploads/abc-photo.png`, contentType: 'image/png', size: PNG.byteLength },
		})
		const stored = store.objects.get('abc-photo.png')!
		expect(stored.bytes).toEqual(PNG)
		expect(stored.meta).toMatchObject({ userId: 'owner', fileId: 'private', contentType: 'image/png', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
		expect(queue.sent).toEqual([
			{
				type: 'asset-uploaded',
				objectName: 'abc-photo.png',
				fileId: 'private',
				userId: 'owner',
				size: PNG.byteLength,
				contentType: 'image/png',
				uploadedAt: stored.meta.uploadedAt.toISOString(),
			},
		])
	})

	it('stores the canonical content type, not the header text', async () => {
		await upload(fakeAuth('owner'), uploadRequest('a.png', { type: 'Image/PNG; foo=bar' }))
		expect(store.objects.get('a.png')!.meta.contentType).toBe('image/png')
	})

	it.each([
		['bad object name', () => uploadRequest('..%2Fetc'), 400, 'INVALID_ID'],
		['missing fileId', () => uploadRequest('a.png', { fileId: null }), 400, 'INVALID_ID'],
		['bad fileId', () => uploadRequest('a.png', { fileId: 'a%20b' }), 400, 'INVALID_ID'],
		['no Content-Type', () => uploadRequest('a.png', { type: null }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
		['HTML as image/png', () => uploadRequest('a.png', { body: IMPOSTORS.html }), 415, 'CONTENT_TYPE_MISMATCH'],
		['empty body', () => uploadRequest('a.png', { body: new Uint8Array() }), 400, 'BAD_REQUEST'],
		['declared too large', () => uploadRequest('a.png', { headers: { 'Content-Length': String(MAX_UPLOAD_BYTES + 1) } }), 413, 'PAYLOAD_TOO_LARGE'],
		['actually too large', () => uploadRequest('a.png', { body: pngOfSize(MAX_UPLOAD_BYTES + 1) }), 413, 'PAYLOAD_TOO_LARGE'],
	] as const)('refuses %s, storing nothing', async (_what, req, status, code) => {
		expect(await upload(fakeAuth('owner'), req())).toMatchObject({ status, body: { code } })
		expect(store.objects.size).toBe(0)
		expect(queue.sent).toHaveLength(0)
	})

	it('refuses a streamed body with no Content-Length as soon as it passes the limit', async () => {
		let pulled = 0
		const chunk = pngOfSize(1024 * 1024)
		const body = new ReadableStream<Uint8Array>({
			pull(c) {
				pulled += chunk.byteLength
				c.enqueue(chunk)
			},
		})
		expect(await upload(fakeAuth('owner'), uploadRequest('big.png', { body }))).toMatchObject({ status: 413 })
		expect(pulled).toBeLessThanOrEqual(MAX_UPLOAD_BYTES + 2 * chunk.byteLength)
	})

	it('checks access before reading the body', async () => {
		let pulled = false
		const body = new ReadableStream<Uint8Array>(
			{
				pull(c) {
					pulled = true
					c.enqueue(PNG)
					c.close()
				},
			},
			{ highWaterMark: 0 },
		)
		expect(await upload(fakeAuth('stranger'), uploadRequest('a.png', { body }))).toMatchObject({ status: 403 })
		expect(pulled).toBe(false)
	})
})

describe('no overwrite', () => {
	it.each([
		['the same user re-sends the same bytes: idempotent 200', 'owner', PNG, 200, undefined],
		['the same user sends different bytes: 409', 'owner', SAMPLE_UPLOADS['image/gif'], 409, 'OBJECT_EXISTS'],
		['another user (edit link) sends the same name: 409', 'guest', PNG, 409, 'OBJECT_EXISTS'],
	] as const)('%s', async (_what, second, bytes, status, code) => {
		expect((await upload(fakeAuth('owner'), uploadRequest('shared-name', { fileId: 'editlink' }))).status).toBe(201)
		const type = bytes === PNG ? 'image/png' : 'image/gif'
		const res = await upload(fakeAuth(second), uploadRequest('shared-name', { fileId: 'editlink', body: bytes, type }))
		expect(res.status).toBe(status)
		if (code) expect(res.body).toMatchObject({ code })
		expect(store.objects.get('shared-name')!.bytes).toEqual(PNG)
		expect(store.objects.get('shared-name')!.meta.userId).toBe('owner')
		// A retry re-queues its row (the first send may have been lost); a refusal queues nothing.
		expect(queue.sent).toHaveLength(status === 200 ? 2 : 1)
	})

	it('a retry for another file keeps the asset on the file it was first uploaded to', async () => {
		await upload(fakeAuth('owner'), uploadRequest('x.png', { fileId: 'private' }))
		await upload(fakeAuth('owner'), uploadRequest('x.png', { fileId: 'editlink' }))
		expect(queue.sent.map((m) => m.fileId)).toEqual(['private', 'private'])
		expect(queue.sent[1]!.uploadedAt).toBe(queue.sent[0]!.uploadedAt)
	})

	it('an object put there without owner metadata is never overwritten', async () => {
		store.seed('manual.png', PNG, { userId: null, sha256: null })
		expect(await upload(fakeAuth('owner'), uploadRequest('manual.png'))).toMatchObject({ status: 409, body: { code: 'OBJECT_EXISTS' } })
	})

	it.each([
		['another user', 'mallory', 409],
		['the same user with the same bytes', 'owner', 200],
	] as const)('losing a race to %s', async (_what, racer, status) => {
		store.beforeCreate = (name) => {
			store.beforeCreate = null
			store.seed(name, PNG, { userId: racer, sha256: store.objects.get('probe')?.meta.sha256 ?? null, fileId: 'private' })
		}
		// Learn PNG's hash the way the handler computes it, so the racer's object matches for 'owner'.
		store.seed('probe', PNG, { userId: 'owner', sha256: await sha256(PNG) })
		expect((await upload(fakeAuth('owner'), uploadRequest('race.png'))).status).toBe(status)
		expect(store.objects.get('race.png')!.meta.userId).toBe(racer)
	})

	it('a failed queue send fails the request, and the retry sends the row again', async () => {
		queue.failNext = true
		expect((await upload(fakeAuth('owner'), uploadRequest('q.png'))).status).toBe(500)
		expect(store.objects.has('q.png')).toBe(true)
		expect((await upload(fakeAuth('owner'), uploadRequest('q.png'))).status).toBe(200)
		expect(queue.sent).toHaveLength(1)
	})
})

describe('end to end through the fakes: upload, queue consumer, asset row', () => {
	it('records the row once, however often the message is delivered', async () => {
		await upload(fakeAuth('owner'), uploadRequest('e2e.png'))
		await upload(fakeAuth('owner'), uploadRequest('e2e.png'))
		const assets = new FakeAssetRepository()
		const batch = new FakeMessageBatch(queue.sent)
		await handleAssetQueueBatch(batch, {}, { withAssets: (fn) => fn(assets) })
		expect(batch.outcomes()).toEqual([{ kind: 'ack' }, { kind: 'ack' }])
		expect([...assets.rows.values()]).toEqual([
			{ objectName: 'e2e.png', fileId: 'private', userId: 'owner', size: String(PNG.byteLength), contentType: 'image/png', uploadedAt: store.objects.get('e2e.png')!.meta.uploadedAt },
		])
	})
})

describe('handleGetUpload', () => {
	beforeEach(() => {
		store.seed('pic.png', PNG, { userId: 'owner', sha256: 'x', contentType: 'image/png' })
		store.seed('drawing.svg', SAMPLE_UPLOADS['image/svg+xml'], { userId: 'owner', sha256: 'y', contentType: 'image/svg+xml' })
	})
	const get = (name: string, headers: Record<string, string> = {}) => new Request(`${ORIGIN}/app/uploads/${name}`, { headers })
	const serve = (req: Request) => respondRaw(handleGetUpload(req, env, store))
	async function respondRaw(p: Promise<Response>) {
		try {
			return await p
		} catch (err) {
			return errorResponse(err)
		}
	}

	it('serves the bytes with the stored type and immutable caching', async () => {
		const res = await serve(get('pic.png'))
		expect(res.status).toBe(200)
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG)
		expect(Object.fromEntries(res.headers)).toMatchObject({
			'content-type': 'image/png',
			'cache-control': UPLOAD_CACHE_CONTROL,
			etag: store.objects.get('pic.png')!.etag,
			'x-content-type-options': 'nosniff',
			'content-security-policy': UPLOAD_CSP,
			'accept-ranges': 'bytes',
			'content-length': String(PNG.byteLength),
		})
	})

	it('serves an SVG so its scripts cannot run', async () => {
		const res = await serve(get('drawing.svg'))
		expect(res.headers.get('Content-Type')).toBe('image/svg+xml')
		expect(res.headers.get('Content-Security-Policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; sandbox")
		expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
	})

	it.each([
		['matching If-None-Match', () => store.objects.get('pic.png')!.etag, 304],
		['weak matching If-None-Match', () => `W/${store.objects.get('pic.png')!.etag}`, 304],
		['one of a list', () => `"other", ${store.objects.get('pic.png')!.etag}`, 304],
		['stale If-None-Match', () => '"old"', 200],
	])('%s', async (_what, tag, status) => {
		const res = await serve(get('pic.png', { 'If-None-Match': tag() }))
		expect(res.status).toBe(status)
		expect(res.headers.get('ETag')).toBe(store.objects.get('pic.png')!.etag)
		if (status === 304) expect(await res.text()).toBe('')
	})

	it('answers a byte range with 206 (video seeking)', async () => {
		const res = await serve(get('pic.png', { Range: 'bytes=2-5' }))
		expect(res.status).toBe(206)
		expect(res.headers.get('Content-Range')).toBe(`bytes 2-5/${PNG.byteLength}`)
		expect(res.headers.get('Content-Length')).toBe('4')
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG.subarray(2, 6))
	})

	it.each([
		['missing', 'nope.png', 404, 'NOT_FOUND'],
		['invalid name', '..', 400, 'INVALID_ID'],
		['escaped name', 'a%2Fb', 400, 'INVALID_ID'],
	])('%s: %s → %s %s JSON', async (_what, name, status, code) => {
		const res = await serve(get(name))
		expect(res.status).toBe(status)
		expect(await res.json()).toMatchObject({ code })
	})
})

describe('handleAssetQueueBatch', () => {
	const valid = (objectName: string) => ({
		type: 'asset-uploaded',
		objectName,
		fileId: 'file1',
		userId: 'user1',
		size: 10,
		contentType: 'image/png',
		uploadedAt: '2026-11-23T09:05:01.002Z',
	})
	const quietLog = { error: () => {} }

	it('acks written rows, retries failed writes with backoff, acks and drops malformed ones', async () => {
		const assets = new FakeAssetRepository()
		assets.poisoned.add('fails.png')
		const batch = new FakeMessageBatch([valid('ok.png'), valid('fails.png'), { nonsense: true }, valid('ok2.png')], 3)
		await handleAssetQueueBatch(batch, {}, { withAssets: (fn) => fn(assets), log: quietLog })
		expect(batch.outcomes()).toEqual([{ kind: 'ack' }, { kind: 'retry', delaySeconds: 40 }, { kind: 'ack' }, { kind: 'ack' }])
		expect([...assets.rows.keys()]).toEqual(['ok.png', 'ok2.png'])
	})

	it('is idempotent: a redelivered message changes nothing', async () => {
		const assets = new FakeAssetRepository()
		await handleAssetQueueBatch(new FakeMessageBatch([valid('a.png')]), {}, { withAssets: (fn) => fn(assets) })
		const first = assets.rows.get('a.png')
		const again = new FakeMessageBatch([{ ...valid('a.png'), fileId: 'other' }])
		await handleAssetQueueBatch(again, {}, { withAssets: (fn) => fn(assets) })
		expect(again.outcomes()).toEqual([{ kind: 'ack' }])
		expect(assets.rows.get('a.png')).toEqual(first)
	})

	it('a transient failure is retried and then succeeds', async () => {
		const assets = new FakeAssetRepository()
		assets.failures = 1
		const first = new FakeMessageBatch([valid('t.png')], 1)
		await handleAssetQueueBatch(first, {}, { withAssets: (fn) => fn(assets), log: quietLog })
		expect(first.outcomes()).toEqual([{ kind: 'retry', delaySeconds: 10 }])
		const second = new FakeMessageBatch([valid('t.png')], 2)
		await handleAssetQueueBatch(second, {}, { withAssets: (fn) => fn(assets), log: quietLog })
		expect(second.outcomes()).toEqual([{ kind: 'ack' }])
		expect(assets.rows.has('t.png')).toBe(true)
	})

	it('retries the whole batch when the database cannot be opened', async () => {
		const batch = new FakeMessageBatch([valid('a.png'), valid('b.png')], 2)
		await handleAssetQueueBatch(batch, {}, { withAssets: () => Promise.reject(new Error('ECONNREFUSED')), log: quietLog })
		expect(batch.outcomes()).toEqual([
			{ kind: 'retry', delaySeconds: 20 },
			{ kind: 'retry', delaySeconds: 20 },
		])
	})

	it('retries the batch when DATABASE_URL is missing (default repository)', async () => {
		const batch = new FakeMessageBatch([valid('a.png')])
		await handleAssetQueueBatch(batch, {}, { log: quietLog })
		expect(batch.outcomes()).toEqual([{ kind: 'retry', delaySeconds: 10 }])
	})
})

async function sha256(bytes: Uint8Array): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
	return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}
