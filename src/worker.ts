import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import { cors, Router, type IRequest } from 'itty-router'
import { parseAuthConfig, type AuthConfig } from './auth/authConfig'
import { createClerkAuthenticator, type Auth } from './auth/verifyRequestAuth'
import { getConfig } from './config'
import { createDb } from './db/createDb'
import { createFileRepository, type FileRepository } from './db/FileRepository'
import type { FileRow } from './db/schema'
import type { Env } from './env'
import { decideRoomAccess, httpStatusForDenial, RoomRoute } from './files/decideRoomAccess'
import { applyFileRowChange } from './files/applyFileRowChange'
import * as filesApi from './files/filesApi'
import { createR2ImportStore } from './files/ImportStore'
import {
	CreateFileBodySchema,
	CreateSnapshotBodySchema,
	MAX_CREATE_FILE_BODY_BYTES,
	MAX_PATCH_FILE_BODY_BYTES,
	MAX_RECORDS_BODY_BYTES,
	parseJsonBody,
	PatchFileBodySchema,
	RecordsBodySchema,
	VERSION_RE,
} from './files/schemas'
import { diffSnapshots } from './room/diffSnapshots'
import { parseRoomSnapshot } from './room/parseRoomSnapshot'
import { handleAssetQueueBatch } from './assets/handleAssetQueueBatch'
import { handleGetUpload, handleUpload } from './assets/uploadsApi'
import { handleUnfurl } from './unfurl/unfurlApi'
import { closedSocketResponse, closedSocketWithCode, UserSocketCloseCode } from './http/closedSocket'
import { ApiError, ErrorCode, errorResponse, isExpectedError } from './http/errors'
import { enforceRateLimit, isAllowed, rateLimitKey } from './http/rateLimit'
import { createErrorReporter } from './observability/reportError'
import { CONNECT_HEADER, encodeConnectRequest, type ConnectRequest } from './room/connectRequest'
import {
	historyPrefix,
	importSnapshotKey,
	isValidId,
	publishedSnapshotKey,
	roomKeyForAnonymousRoom,
	roomKeyForFile,
	sharedSnapshotKey,
	type RoomKey,
} from './storage/keys'
import { createR2SnapshotStore } from './storage/SnapshotStore'

export { ReplicatorDurableObject } from '../durable-objects/ReplicatorDurableObject'
export { RoomDurableObject } from '../durable-objects/RoomDurableObject'
export { UserDurableObject } from '../durable-objects/UserDurableObject'

/** A read-only slug is the room's Durable Object id: derived by a one-way hash, so it never reveals the room id. */
const SLUG_RE = /^[0-9a-f]{64}$/

type Req = IRequest & { env: Env }

function requireId(value: string | undefined, what: string): string {
	if (!value || !isValidId(value)) {
		throw new ApiError(400, ErrorCode.INVALID_ID, `${what} must match ^[A-Za-z0-9_-]{1,128}$`)
	}
	return value
}

function isUpgrade(req: Request): boolean {
	return req.headers.get('Upgrade')?.toLowerCase() === 'websocket'
}

function requireUpgrade(req: Request) {
	if (!isUpgrade(req)) throw new ApiError(426, ErrorCode.UPGRADE_REQUIRED, 'this route only accepts WebSocket upgrades')
}

function requireSessionId(req: Request): string {
	// useSync adds sessionId (one per tab) and storeId to the URL it is given.
	const sessionId = new URL(req.url).searchParams.get('sessionId')
	if (!sessionId || sessionId.length > 128) {
		throw new ApiError(400, ErrorCode.BAD_REQUEST, 'sessionId query parameter is required (1-128 characters)')
	}
	return sessionId
}

function requireAnonymousRooms(env: Env) {
	if (!getConfig(env).anonymousRooms) throw new ApiError(404, ErrorCode.NOT_FOUND, 'anonymous rooms are disabled')
}

const authConfigs = new WeakMap<Env, AuthConfig>()
function authenticate(req: Request, env: Env): Promise<Auth | null> {
	let config = authConfigs.get(env)
	if (!config) authConfigs.set(env, (config = parseAuthConfig(env)))
	return createClerkAuthenticator(config).authenticate(req)
}

/**
 * Runs `fn` with a Postgres-backed repository. The stateless Worker opens one connection per request and
 * always ends it: a pool reused across requests hangs in workerd.
 */
async function withRepo<T>(env: Env, fn: (repo: FileRepository) => Promise<T>): Promise<T> {
	const url = getConfig(env).databaseUrl
	if (!url) throw new ApiError(500, ErrorCode.NOT_CONFIGURED, 'DATABASE_URL is not set')
	const { db, close } = createDb(url)
	try {
		return await fn(createFileRepository(db))
	} finally {
		await close()
	}
}

function fileRoomStub(env: Env, fileId: string) {
	return env.ROOM.get(env.ROOM.idFromName(roomKeyForFile(fileId)))
}

function connectToRoom(stub: DurableObjectStub, req: Request, connect: ConnectRequest): Promise<Response> {
	// Forward url + headers, not the router's request proxy (workerd rejects it as a Request).
	const headers = new Headers(req.headers)
	headers.set(CONNECT_HEADER, encodeConnectRequest(connect))
	return stub.fetch(req.url, { method: 'GET', headers })
}

function filesDeps(env: Env, repo: FileRepository, auth: Auth | null): filesApi.FilesApiDeps {
	return {
		repo,
		auth,
		imports: createR2ImportStore(env.SNAPSHOTS, importSnapshotKey),
		// Applied before the response (so revocation is immediate); the replicator applies it again for
		// changes made anywhere — both idempotent.
		onFileChanged: (before, after) => applyFileRowChange({ rooms: env.ROOM, snapshots: env.SNAPSHOTS }, before, after),
	}
}

/** Authenticates and rate-limits an HTTP API call, then runs it with a repository. */
async function apiCall<T>(req: Request, env: Env, fn: (deps: filesApi.FilesApiDeps) => Promise<T>): Promise<T> {
	const auth = await authenticate(req, env)
	await enforceRateLimit(env.API_RATE_LIMITER, rateLimitKey(req, auth?.userId ?? null))
	return withRepo(env, (repo) => fn(filesDeps(env, repo, auth)))
}

/** GET /app/file/:fileId as a WebSocket: the file's room, with the access decision of DESIGN §3. */
async function connectToFileRoom(req: Request, env: Env, ctx: ExecutionContext, fileId: string): Promise<Response> {
	const sessionId = requireSessionId(req)
	let auth: Auth | null
	try {
		auth = await authenticate(req, env)
	} catch (err) {
		if (err instanceof ApiError && err.status === 401) return closedSocketResponse(TLSyncErrorCloseEventReason.NOT_AUTHENTICATED)
		throw err
	}
	if (!(await isAllowed(env.ROOM_CONNECT_RATE_LIMITER, rateLimitKey(req, auth?.userId ?? null)))) {
		return closedSocketResponse(TLSyncErrorCloseEventReason.RATE_LIMITED)
	}
	const file = await withRepo(env, async (repo) => {
		const row = await repo.getFile(fileId)
		const decision = decideRoomAccess(row, auth, RoomRoute.FILE)
		if (decision.kind === 'allow' && auth) {
			// A signed-in visitor gets a file_state row, so the file shows up in their list.
			await repo.upsertUser({ id: auth.userId, name: auth.name, email: auth.email })
			await repo.recordVisit(auth.userId, fileId)
		}
		return { row, decision }
	})
	if (file.decision.kind === 'deny') return closedSocketResponse(file.decision.reason)
	kickReplicator(env, ctx)
	return connectToRoom(fileRoomStub(env, fileId), req, {
		roomKey: roomKeyForFile(fileId),
		sessionId,
		isReadonly: file.decision.isReadonly,
		userId: auth?.userId ?? null,
		createSource: file.row!.createSource,
		fileName: file.row!.name,
	})
}

/** A room reached over HTTP: its Durable Object and what it needs to start (see RoomDurableObject.open). */
interface RoomTarget {
	roomKey: RoomKey
	createSource: string | null
	stub: DurableObjectStub<import('../durable-objects/RoomDurableObject').RoomDurableObject>
	file: FileRow | null
}

/**
 * Resolves `/app/file/:fileId/…` (Clerk + sharing rules; writes need an edit right) or `/r/:roomId/…`
 * (anonymous rooms: anyone with the id reads and writes) to its room, or throws the HTTP error.
 */
async function resolveRoom(req: Req, env: Env, need: 'read' | 'write'): Promise<RoomTarget> {
	if (req.params.roomId !== undefined) {
		requireAnonymousRooms(env)
		const roomKey = roomKeyForAnonymousRoom(requireId(req.params.roomId, 'roomId'))
		await enforceRateLimit(env.API_RATE_LIMITER, rateLimitKey(req, null))
		return { roomKey, createSource: null, stub: env.ROOM.get(env.ROOM.idFromName(roomKey)), file: null }
	}
	const fileId = requireId(req.params.fileId, 'fileId')
	const auth = await authenticate(req, env)
	await enforceRateLimit(env.API_RATE_LIMITER, rateLimitKey(req, auth?.userId ?? null))
	const file = await withRepo(env, (repo) => repo.getFile(fileId))
	const decision = decideRoomAccess(file, auth, RoomRoute.FILE)
	if (decision.kind === 'deny') throw new ApiError(httpStatusForDenial(decision.reason), denialCode(decision.reason), denialMessage(decision.reason))
	if (need === 'write' && decision.isReadonly) throw new ApiError(403, ErrorCode.FORBIDDEN, 'this file is shared with you read-only')
	return { roomKey: roomKeyForFile(fileId), createSource: file!.createSource, stub: fileRoomStub(env, fileId), file }
}

function denialCode(reason: TLSyncErrorCloseEventReason): ErrorCode {
	switch (reason) {
		case TLSyncErrorCloseEventReason.NOT_AUTHENTICATED:
			return ErrorCode.NOT_AUTHENTICATED
		case TLSyncErrorCloseEventReason.FORBIDDEN:
			return ErrorCode.FORBIDDEN
		default:
			return ErrorCode.NOT_FOUND
	}
}

function denialMessage(reason: TLSyncErrorCloseEventReason): string {
	switch (reason) {
		case TLSyncErrorCloseEventReason.NOT_AUTHENTICATED:
			return 'sign in to open this file'
		case TLSyncErrorCloseEventReason.FORBIDDEN:
			return 'this file is private'
		default:
			return 'no such file'
	}
}

function requireVersion(value: string | undefined): string {
	if (!value || !VERSION_RE.test(value)) throw new ApiError(400, ErrorCode.BAD_REQUEST, 'version must be a history version such as 2026-11-23T09:05:01.002Z')
	return value
}

/** A version's snapshot from R2 history, or 404. */
async function readVersion(env: Env, target: RoomTarget, version: string) {
	const json = await createR2SnapshotStore(env.ROOMS, env.ROOM_HISTORY).getVersion(historyPrefix(target.roomKey) + version)
	if (json === null) throw new ApiError(404, ErrorCode.NOT_FOUND, `no version ${version} in this room's history`)
	return parseRoomSnapshot(json)
}

const HISTORY_PAGE_MAX = 200

async function listHistory(req: Req, env: Env): Promise<Response> {
	const target = await resolveRoom(req, env, 'read')
	const url = new URL(req.url)
	const limit = Math.min(HISTORY_PAGE_MAX, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50))
	const cursor = url.searchParams.get('cursor')
	if (cursor !== null && !/^\d{1,15}$/.test(cursor)) throw new ApiError(400, ErrorCode.BAD_REQUEST, 'cursor must come from a previous page')
	const rows = await target.stub.listVersions(limit, cursor === null ? undefined : Number(cursor))
	const prefix = historyPrefix(target.roomKey)
	return Response.json({
		versions: rows.map((r) => ({ version: r.historyKey.slice(prefix.length), createdAt: new Date(r.createdAt).toISOString(), clock: r.clock, bytes: r.bytes })),
		next: rows.length === limit ? String(rows[rows.length - 1]!.id) : null,
	})
}

async function diffHistory(req: Req, env: Env): Promise<Response> {
	const target = await resolveRoom(req, env, 'read')
	const from = await readVersion(env, target, requireVersion(req.params.version))
	const against = new URL(req.url).searchParams.get('against')
	const to = against ? await readVersion(env, target, requireVersion(against)) : (await target.stub.readSnapshot(target)).snapshot
	const diff = diffSnapshots(from, to)
	return Response.json({ from: req.params.version, to: against ?? 'current', ...diff })
}

async function restoreHistory(req: Req, env: Env): Promise<Response> {
	const target = await resolveRoom(req, env, 'write')
	const version = requireVersion(req.params.version)
	const result = await target.stub.restoreVersion(target, historyPrefix(target.roomKey) + version)
	if (!result.found) throw new ApiError(404, ErrorCode.NOT_FOUND, `no version ${version} in this room's history`)
	const prefix = historyPrefix(target.roomKey)
	return Response.json({ restored: version, clock: result.clock, version: result.newVersionKey?.slice(prefix.length) ?? null })
}

async function postRecords(req: Req, env: Env): Promise<Response> {
	const body = await parseJsonBody(req, RecordsBodySchema, MAX_RECORDS_BODY_BYTES)
	const target = await resolveRoom(req, env, 'write')
	const result = await target.stub.applyRecords(target, body)
	switch (result.kind) {
		case 'applied':
			return Response.json({ clock: result.clock })
		case 'conflict':
			return Response.json({ error: `the document is at clock ${result.clock}, not ${body.expectedClock}`, code: ErrorCode.CLOCK_MISMATCH, clock: result.clock }, { status: 409 })
		case 'invalid':
			throw new ApiError(400, ErrorCode.INVALID_RECORD, result.message)
	}
}

async function downloadTldr(req: Req, env: Env): Promise<Response> {
	const target = await resolveRoom(req, env, 'read')
	const { snapshot } = await target.stub.readSnapshot(target)
	const name = (target.file?.name || req.params.fileId || req.params.roomId || 'untitled').replace(/[^\w .-]+/g, '_').slice(0, 100)
	const tldr = { tldrawFileFormatVersion: 1, schema: snapshot.schema, records: snapshot.documents.map((d) => d.state) }
	return new Response(JSON.stringify(tldr), {
		headers: { 'Content-Type': 'application/vnd.tldraw+json', 'Content-Disposition': `attachment; filename="${name}.tldr"` },
	})
}

/** POST /app/files with `duplicateOf`: the source (current, or a history version) becomes the new file's import. */
async function duplicateFile(req: Req, env: Env, body: { name?: string; duplicateOf: string; version?: string }) {
	const source = await resolveRoom(Object.assign(req, { params: { fileId: body.duplicateOf } }), env, 'read')
	const snapshot = body.version ? await readVersion(env, source, body.version) : (await source.stub.readSnapshot(source)).snapshot
	const name = body.name ?? `${source.file?.name || 'Untitled'} (copy)`
	return apiCall(req, env, (deps) => filesApi.createFile(deps, { name, snapshot: snapshot as unknown as Record<string, unknown> }))
}

async function serveSnapshotObject(env: Env, key: string, what: string): Promise<Response> {
	const obj = await env.SNAPSHOTS.get(key)
	if (!obj) throw new ApiError(404, ErrorCode.NOT_FOUND, `no ${what} here`)
	return new Response(obj.body, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=60' } })
}

function replicatorStub(env: Env) {
	return env.REPLICATOR.get(env.REPLICATOR.idFromName('replicator'))
}

/** Starts the replication stream if this deployment has Postgres; its own alarm keeps it alive after that. */
function kickReplicator(env: Env, ctx: ExecutionContext) {
	if (!getConfig(env).databaseUrl) return
	ctx.waitUntil(replicatorStub(env).ensureRunning().catch((err) => console.error('replicator did not start:', err)))
}

/** GET /app/:userId/connect (WebSocket): the user-data socket; the token's user must be `:userId`. */
async function connectUserSocket(req: Req, env: Env, ctx: ExecutionContext): Promise<Response> {
	const userId = requireId(req.params.userId, 'userId')
	requireUpgrade(req)
	let auth: Auth | null
	try {
		auth = await authenticate(req, env)
	} catch (err) {
		if (err instanceof ApiError && err.status === 401) return closedSocketWithCode(UserSocketCloseCode.NOT_AUTHENTICATED, 'NOT_AUTHENTICATED')
		throw err
	}
	if (!auth) return closedSocketWithCode(UserSocketCloseCode.NOT_AUTHENTICATED, 'NOT_AUTHENTICATED')
	if (auth.userId !== userId) return closedSocketWithCode(UserSocketCloseCode.FORBIDDEN, 'FORBIDDEN: token is for another user')
	if (!(await isAllowed(env.ROOM_CONNECT_RATE_LIMITER, rateLimitKey(req, userId)))) {
		return closedSocketWithCode(UserSocketCloseCode.FORBIDDEN, 'RATE_LIMITED')
	}
	await withRepo(env, (repo) => repo.upsertUser({ id: auth.userId, name: auth.name, email: auth.email }))
	kickReplicator(env, ctx)
	const stub = env.USER.get(env.USER.idFromName(`user:${userId}`))
	const headers = new Headers(req.headers)
	headers.set('x-sync-user', userId)
	return stub.fetch(req.url, { method: 'GET', headers })
}

/** Admin routes: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
function requireAdmin(req: Request, env: Env) {
	const expected = getConfig(env).adminToken
	if (!expected) throw new ApiError(404, ErrorCode.NOT_FOUND, 'admin routes are disabled (set ADMIN_TOKEN)')
	const given = (req.headers.get('Authorization') ?? '').replace(/^Bearer\s+/i, '')
	const a = new TextEncoder().encode(given)
	const b = new TextEncoder().encode(expected)
	if (a.byteLength !== b.byteLength || !crypto.subtle.timingSafeEqual(a, b)) {
		throw new ApiError(401, ErrorCode.NOT_AUTHENTICATED, 'admin token required')
	}
}

async function anonymousRoomAllowed(req: Request, env: Env): Promise<boolean> {
	return isAllowed(env.ROOM_CONNECT_RATE_LIMITER, rateLimitKey(req, null))
}

const router = Router<Req, [Env, ExecutionContext]>()

router
	.get('/health', () => Response.json({ ok: true }))
	// Anonymous rooms
	.get('/r/:roomId/readonly-slug', (req, env) => {
		requireAnonymousRooms(env)
		const roomId = requireId(req.params.roomId, 'roomId')
		return Response.json({ slug: env.ROOM.idFromName(roomKeyForAnonymousRoom(roomId)).toString() })
	})
	.get('/r/:roomId', async (req, env) => {
		requireAnonymousRooms(env)
		const roomId = requireId(req.params.roomId, 'roomId')
		requireUpgrade(req)
		const sessionId = requireSessionId(req)
		if (!(await anonymousRoomAllowed(req, env))) return closedSocketResponse(TLSyncErrorCloseEventReason.RATE_LIMITED)
		const roomKey = roomKeyForAnonymousRoom(roomId)
		const stub = env.ROOM.get(env.ROOM.idFromName(roomKey))
		return connectToRoom(stub, req, { roomKey, sessionId, isReadonly: false, userId: null })
	})
	.get('/ro/:slug', async (req, env) => {
		requireAnonymousRooms(env)
		const slug = req.params.slug ?? ''
		if (!SLUG_RE.test(slug)) throw new ApiError(400, ErrorCode.INVALID_ID, 'slug must be 64 lowercase hex characters')
		requireUpgrade(req)
		const sessionId = requireSessionId(req)
		let id: DurableObjectId
		try {
			id = env.ROOM.idFromString(slug)
		} catch {
			// Not an id of this namespace: forged or mistyped.
			throw new ApiError(400, ErrorCode.INVALID_ID, 'not a read-only slug issued by this server')
		}
		if (!(await anonymousRoomAllowed(req, env))) return closedSocketResponse(TLSyncErrorCloseEventReason.RATE_LIMITED)
		return connectToRoom(env.ROOM.get(id), req, { sessionId, isReadonly: true, userId: null })
	})
	.get('/r/:roomId/history', listHistory)
	.get('/r/:roomId/history/:version', async (req, env) => Response.json(await readVersion(env, await resolveRoom(req, env, 'read'), requireVersion(req.params.version))))
	.get('/r/:roomId/history/:version/diff', diffHistory)
	.post('/r/:roomId/history/:version/restore', restoreHistory)
	.get('/r/:roomId/snapshot', async (req, env) => {
		const target = await resolveRoom(req, env, 'read')
		return Response.json(await target.stub.readSnapshot(target))
	})
	.get('/r/:roomId/download', downloadTldr)
	// Files
	.post('/app/files', async (req, env) => {
		const body = await parseJsonBody(req, CreateFileBodySchema, MAX_CREATE_FILE_BODY_BYTES)
		if (body.duplicateOf) return Response.json(await duplicateFile(req, env, { ...body, duplicateOf: body.duplicateOf }), { status: 201 })
		return Response.json(await apiCall(req, env, (deps) => filesApi.createFile(deps, body)), { status: 201 })
	})
	.get('/app/files', async (req, env) => Response.json(await apiCall(req, env, (deps) => filesApi.listFiles(deps))))
	.get('/app/file/:fileId', async (req, env, ctx) => {
		const fileId = requireId(req.params.fileId, 'fileId')
		if (isUpgrade(req)) return connectToFileRoom(req, env, ctx, fileId)
		return Response.json(await apiCall(req, env, (deps) => filesApi.getFile(deps, { fileId })))
	})
	.patch('/app/file/:fileId', async (req, env) => {
		const fileId = requireId(req.params.fileId, 'fileId')
		const body = await parseJsonBody(req, PatchFileBodySchema, MAX_PATCH_FILE_BODY_BYTES)
		return Response.json(await apiCall(req, env, (deps) => filesApi.patchFile(deps, { fileId, body })))
	})
	.delete('/app/file/:fileId', async (req, env) => {
		const fileId = requireId(req.params.fileId, 'fileId')
		return Response.json(await apiCall(req, env, (deps) => filesApi.deleteFile(deps, { fileId })))
	})
	// Document API and history of a file
	.get('/app/file/:fileId/snapshot', async (req, env) => {
		const target = await resolveRoom(req, env, 'read')
		return Response.json(await target.stub.readSnapshot(target))
	})
	.get('/app/file/:fileId/metadata', async (req, env) => {
		const target = await resolveRoom(req, env, 'read')
		const meta = await target.stub.readMetadata(target)
		return Response.json({ ...meta, updatedAt: target.file?.updatedAt.toISOString() ?? null })
	})
	.post('/app/file/:fileId/records', postRecords)
	.get('/app/file/:fileId/download', downloadTldr)
	.get('/app/file/:fileId/history', listHistory)
	.get('/app/file/:fileId/history/:version', async (req, env) => Response.json(await readVersion(env, await resolveRoom(req, env, 'read'), requireVersion(req.params.version))))
	.get('/app/file/:fileId/history/:version/diff', diffHistory)
	.post('/app/file/:fileId/history/:version/restore', restoreHistory)
	// Assets and bookmarks
	.post('/app/uploads/:objectName', async (req, env) => {
		const auth = await authenticate(req, env)
		await enforceRateLimit(env.API_RATE_LIMITER, rateLimitKey(req, auth?.userId ?? null))
		return handleUpload(req, env, { auth, withRepo: (fn) => withRepo(env, fn) })
	})
	.get('/app/uploads/:objectName', (req, env) => handleGetUpload(req, env))
	.get('/unfurl', async (req, env) => {
		const auth = await authenticate(req, env)
		await enforceRateLimit(env.API_RATE_LIMITER, rateLimitKey(req, auth?.userId ?? null))
		return handleUnfurl(req, { auth })
	})
	// User data and replication
	.get('/app/:userId/connect', connectUserSocket)
	.get('/app/replicator-status', async (req, env) => {
		requireAdmin(req, env)
		return Response.json(await replicatorStub(env).status())
	})
	.post('/app/admin/replicator/restart', async (req, env) => {
		requireAdmin(req, env)
		// The object aborts itself, so this call always ends in an error on our side.
		await replicatorStub(env)
			.restart()
			.catch(() => {})
		return Response.json({ restarting: true }, { status: 202 })
	})
	// Publishing and frozen snapshots (public)
	.get('/app/publish/:slug', (req, env) => {
		const slug = requireId(req.params.slug, 'slug')
		return serveSnapshotObject(env, publishedSnapshotKey(slug), 'published file')
	})
	.post('/snapshots', async (req, env) => {
		const body = await parseJsonBody(req, CreateSnapshotBodySchema, 1024)
		const params = body.fileId ? { fileId: body.fileId } : { roomId: body.roomId! }
		const target = await resolveRoom(Object.assign(req, { params }), env, 'read')
		const { snapshot } = await target.stub.readSnapshot(target)
		const slug = crypto.randomUUID().replaceAll('-', '')
		await env.SNAPSHOTS.put(sharedSnapshotKey(slug), JSON.stringify(snapshot), { httpMetadata: { contentType: 'application/json' } })
		return Response.json({ slug }, { status: 201 })
	})
	.get('/snapshot/:slug', (req, env) => serveSnapshotObject(env, sharedSnapshotKey(requireId(req.params.slug, 'slug')), 'snapshot'))
	.all('*', () => {
		throw new ApiError(404, ErrorCode.NOT_FOUND, 'no such route')
	})

/** Every route also answers under `/api`, so one origin can serve an app and its API. */
function stripApiPrefix(request: Request): Request {
	const url = new URL(request.url)
	if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return request
	url.pathname = url.pathname.slice(4) || '/'
	return new Request(url, request)
}

function handleCors(env: Env) {
	const origins = getConfig(env).allowedOrigins
	return cors({
		origin: origins.includes('*') ? '*' : (origin: string) => (origins.includes(origin) ? origin : undefined),
		allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
		allowHeaders: ['Authorization', 'Content-Type'],
		exposeHeaders: ['Retry-After'],
		maxAge: 86_400,
	})
}

export default {
	async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
		let config
		try {
			config = getConfig(env)
		} catch (err) {
			// A misconfigured deployment answers 500 JSON on every route; the log names the variable.
			console.error(err)
			return errorResponse(err)
		}
		const { preflight, corsify } = handleCors(env)
		const req = stripApiPrefix(request)
		const pre = preflight(req as IRequest)
		if (pre) return pre
		let response: Response
		try {
			response = await router.fetch(req, env, ctx)
		} catch (err) {
			if (!isExpectedError(err)) {
				console.error('unexpected error', err)
				createErrorReporter({ dsn: config.sentryDsn, waitUntil: (p) => ctx.waitUntil(p), request, component: 'worker' }).captureException(err)
			}
			response = errorResponse(err)
		}
		// WebSocket upgrade responses are immutable; CORS does not apply to them anyway.
		return response.status === 101 ? response : corsify(response, req)
	},

	/** Queue consumer: records the `asset` row of each stored upload (idempotent, retried with backoff). */
	async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
		await handleAssetQueueBatch(batch, env)
	},
} satisfies ExportedHandler<Env>
