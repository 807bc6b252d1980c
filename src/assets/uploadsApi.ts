import { readBodyCapped } from '../http/readBodyCapped'
import { sha256Hex } from '../storage/sha256Hex'
import { requireAuth, type Auth } from '../auth/authenticateRequest'
import type { FileRepository } from '../db/FileRepository'
import { accessDeniedError, decideRoomAccess } from '../files/decideRoomAccess'
import { ApiError, ErrorCode } from '../http/errors'
import { isValidId } from '../storage/keys'
import type { AssetQueueMessage } from './AssetQueueMessage'
import { checkUpload, isValidObjectName, MAX_UPLOAD_BYTES, SNIFF_BYTES, type UploadCheck, type UploadContentType } from './checkUpload'
import { decideUploadOwnership } from './decideUploadOwnership'
import { createR2UploadStore, type StoredUpload, type UploadStore } from './UploadStore'

/** Object names are unique and objects never change (decideUploadOwnership), so caches may keep them forever. */
export const UPLOAD_CACHE_CONTROL = 'public, max-age=31536000, immutable'
/**
 * Sent with every upload: an SVG opened directly (or any file a browser might render as a document)
 * runs no script, loads nothing and gets an opaque origin. Inline styles stay, so SVGs render as drawn.
 */
export const UPLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

/** The bindings the upload routes use (declared in src/env.ts and wrangler.toml). */
export interface AssetsEnv {
	UPLOADS: R2Bucket
	ASSET_QUEUE: Queue<AssetQueueMessage>
}

export type UploadDeps = {
	/** The caller; uploads need a signed-in user with write access to `fileId`. */
	auth: Auth | null
	/** Runs `fn` with a Postgres-backed repository; the handler is done with it before reading the body. */
	withRepo: <T>(fn: (repo: Pick<FileRepository, 'getFile' | 'upsertUser'>) => Promise<T>) => Promise<T>
	/** Defaults to R2 `UPLOADS`. */
	store?: UploadStore
	/** Defaults to `ASSET_QUEUE`. */
	queue?: Pick<Queue<AssetQueueMessage>, 'send'>
}

export type UploadResult = { objectName: string; url: string; contentType: string; size: number }

/**
 * POST /app/uploads/:objectName?fileId=… with the raw bytes as the body.
 * 201 stored · 200 the same user sent the same bytes again (idempotent) · 400 INVALID_ID / BAD_REQUEST ·
 * 401 · 403 no write access · 404 no such file · 409 OBJECT_EXISTS · 413 · 415 UNSUPPORTED_MEDIA_TYPE /
 * CONTENT_TYPE_MISMATCH · 429.
 *
 * The object goes to R2 first, then a queue message records the `asset` row (the consumer retries).
 * If the send fails the request fails, and the client's retry takes the idempotent path, which sends
 * the message again: the row is eventually written either way.
 */
export async function handleUpload(req: Request, env: AssetsEnv, deps: UploadDeps): Promise<Response> {
	const auth = requireAuth(deps.auth)
	const url = new URL(req.url)
	const objectName = lastPathSegment(url)
	const fileId = url.searchParams.get('fileId')
	if (!fileId || !isValidId(fileId)) throw new ApiError(400, ErrorCode.INVALID_ID, 'fileId query parameter must match ^[A-Za-z0-9_-]{1,128}$')
	// Cheap refusals (name, type, declared size) before touching Postgres or reading the body.
	checkHeaders(req, objectName, MAX_UPLOAD_BYTES)

	await deps.withRepo(async (repo) => {
		const decision = decideRoomAccess(await repo.getFile(fileId), auth)
		if (decision.kind === 'deny') throw accessDeniedError(decision.reason)
		if (decision.isReadonly) throw new ApiError(403, ErrorCode.FORBIDDEN, 'this file is shared with you read-only: uploads need write access')
		// The asset row references the user; a guest on an edit link may have no row yet.
		await repo.upsertUser({ id: auth.userId, name: auth.name, email: auth.email })
	})

	const { stored, created, contentType, size } = await storeUpload(req, env, objectName, {
		owner: { userId: auth.userId, fileId },
		maxBytes: MAX_UPLOAD_BYTES,
		store: deps.store,
	})
	const queue = deps.queue ?? env.ASSET_QUEUE
	await queue.send({
		type: 'asset-uploaded',
		objectName,
		// A retry records the object as first stored: its first file stays its file.
		fileId: stored.fileId ?? fileId,
		userId: auth.userId,
		size,
		contentType,
		uploadedAt: stored.uploadedAt.toISOString(),
	})
	const result: UploadResult = { objectName, url: `${url.origin}/app/uploads/${objectName}`, contentType, size }
	return Response.json(result, { status: created ? 201 : 200 })
}

/**
 * Owner recorded on uploads through the template-compatible route, which has no user and no file. It is
 * a valid id in both fields, so the same bytes sent again are an idempotent retry like any other.
 */
export const ANONYMOUS_UPLOAD_OWNER = 'anonymous'

/**
 * POST /api/uploads/:uploadId: tldraw's sync-cloudflare template client uploads here with no token and
 * no file (only while anonymous rooms are on; the route limits callers per IP). The same checks as
 * signed-in uploads, a smaller size cap, and no `asset` row (there is no owner to record).
 * 201 `{ objectName, url, contentType, size }` (the client reads only the status) · 200 a retry of the
 * same bytes · 400 · 409 OBJECT_EXISTS · 413 · 415.
 */
export async function handleAnonymousUpload(req: Request, env: AssetsEnv, opts: { maxBytes: number; store?: UploadStore }): Promise<Response> {
	const url = new URL(req.url)
	const objectName = lastPathSegment(url)
	checkHeaders(req, objectName, opts.maxBytes)
	const { created, contentType, size } = await storeUpload(req, env, objectName, {
		owner: { userId: ANONYMOUS_UPLOAD_OWNER, fileId: ANONYMOUS_UPLOAD_OWNER },
		maxBytes: opts.maxBytes,
		store: opts.store,
	})
	const result: UploadResult = { objectName, url: `${url.origin}/api/uploads/${objectName}`, contentType, size }
	return Response.json(result, { status: created ? 201 : 200 })
}

function checkHeaders(req: Request, objectName: string, maxBytes: number) {
	const declaredLength = req.headers.get('Content-Length')
	requireAllowed(
		checkUpload({
			objectName,
			contentType: req.headers.get('Content-Type'),
			size: declaredLength !== null && /^\d+$/.test(declaredLength) ? Number(declaredLength) : null,
			head: null,
			maxBytes,
		}),
	)
}

/** Reads, sniffs and hashes the body, then stores it unless the name is taken (decideUploadOwnership). */
async function storeUpload(
	req: Request,
	env: Pick<AssetsEnv, 'UPLOADS'>,
	objectName: string,
	opts: { owner: { userId: string; fileId: string }; maxBytes: number; store?: UploadStore },
): Promise<{ stored: StoredUpload; created: boolean; contentType: UploadContentType; size: number }> {
	const bytes = await readBodyCapped(req, opts.maxBytes, () => new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `uploads are limited to ${opts.maxBytes} bytes`))
	const { contentType } = requireAllowed(
		checkUpload({ objectName, contentType: req.headers.get('Content-Type'), size: bytes.byteLength, head: bytes.subarray(0, SNIFF_BYTES), maxBytes: opts.maxBytes }),
	)
	const sha256 = await sha256Hex(bytes)
	const store = opts.store ?? createR2UploadStore(env.UPLOADS)
	const incoming = { userId: opts.owner.userId, sha256 }

	let stored = await store.head(objectName)
	let created = false
	if (decideUploadOwnership(stored, incoming).kind === 'create') {
		const written = await store.create(objectName, bytes, { contentType, userId: opts.owner.userId, fileId: opts.owner.fileId, sha256 })
		if (written) [stored, created] = [written, true]
		// else a concurrent upload of the same name won the race: judge against what it stored.
		else stored = await store.head(objectName)
	}
	if (!created) {
		const decision = decideUploadOwnership(stored, incoming)
		if (decision.kind !== 'same') {
			const sameUser = decision.kind === 'conflict' && decision.reason === 'different-content'
			throw new ApiError(
				409,
				ErrorCode.OBJECT_EXISTS,
				sameUser ? `you already uploaded different content as ${objectName}; choose a new name` : `object ${objectName} already exists`,
			)
		}
	}
	// Only a refused upload can leave this null (a 'create' decision after a lost race throws above).
	if (!stored) throw new Error(`upload ${objectName}: no object after storing it`)
	return { stored, created, contentType, size: bytes.byteLength }
}

/**
 * GET /app/uploads/:objectName: public, no auth (the name is the capability, as with tldraw.com).
 * 200 with the stored Content-Type, ETag and year-long immutable caching · 206 for a satisfiable Range
 * (video seeking) · 304 when If-None-Match matches · 400 INVALID_ID · 404 NOT_FOUND.
 */
export async function handleGetUpload(req: Request, env: Pick<AssetsEnv, 'UPLOADS'>, store: UploadStore = createR2UploadStore(env.UPLOADS)): Promise<Response> {
	const objectName = lastPathSegment(new URL(req.url))
	if (!isValidObjectName(objectName)) throw new ApiError(400, ErrorCode.INVALID_ID, 'not a valid object name')
	const read = await store.read(objectName, { ifNoneMatch: req.headers.get('If-None-Match'), range: req.headers.get('Range') })
	switch (read.kind) {
		case 'missing':
			throw new ApiError(404, ErrorCode.NOT_FOUND, 'no such upload')
		case 'not-modified':
			return new Response(null, { status: 304, headers: { ETag: read.etag, 'Cache-Control': UPLOAD_CACHE_CONTROL } })
		case 'body': {
			const headers = new Headers({
				'Content-Type': read.contentType,
				'Cache-Control': UPLOAD_CACHE_CONTROL,
				ETag: read.etag,
				'X-Content-Type-Options': 'nosniff',
				'Content-Security-Policy': UPLOAD_CSP,
				'Accept-Ranges': 'bytes',
				'Content-Length': String(read.range?.length ?? read.size),
			})
			if (read.range) headers.set('Content-Range', `bytes ${read.range.offset}-${read.range.offset + read.range.length - 1}/${read.size}`)
			return new Response(read.body, { status: read.range ? 206 : 200, headers })
		}
		default:
			return assertNever(read)
	}
}

/** The route's last path segment, undecoded: a valid name never needs escaping, so `%` just fails the check. */
function lastPathSegment(url: URL): string {
	return url.pathname.slice(url.pathname.lastIndexOf('/') + 1)
}

function requireAllowed(check: UploadCheck): Extract<UploadCheck, { ok: true }> {
	if (!check.ok) throw new ApiError(check.status, check.code, check.message)
	return check
}

function assertNever(value: never): never {
	throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}
