import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import { cors, Router, type IRequest } from 'itty-router'
import { parseAuthConfig, type AuthConfig } from './auth/authConfig'
import { createClerkAuthenticator, type Auth } from './auth/verifyRequestAuth'
import { getConfig } from './config'
import { createDb } from './db/createDb'
import { createFileRepository, type FileRepository } from './db/FileRepository'
import type { FileRow } from './db/schema'
import type { Env } from './env'
import { decideRoomAccess, RoomRoute } from './files/decideRoomAccess'
import * as filesApi from './files/filesApi'
import { createR2ImportStore } from './files/ImportStore'
import { CreateFileBodySchema, MAX_CREATE_FILE_BODY_BYTES, MAX_PATCH_FILE_BODY_BYTES, parseJsonBody, PatchFileBodySchema } from './files/schemas'
import { closedSocketResponse } from './http/closedSocket'
import { ApiError, ErrorCode, errorResponse, isExpectedError } from './http/errors'
import { enforceRateLimit, isAllowed, rateLimitKey } from './http/rateLimit'
import { createErrorReporter } from './observability/reportError'
import { CONNECT_HEADER, encodeConnectRequest, type ConnectRequest } from './room/connectRequest'
import { importSnapshotKey, isValidId, roomKeyForAnonymousRoom, roomKeyForFile } from './storage/keys'

export { RoomDurableObject } from '../durable-objects/RoomDurableObject'

/** A read-only slug is the room's Durable Object id: derived by a one-way hash, so it never reveals the room id. */
const SLUG_RE = /^[0-9a-f]{64}$/
/** How often a change is offered to a room before the request gives up (the room applies it idempotently). */
const FILE_CHANGE_ATTEMPTS = 3

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

/** Tells the file's live room about the change and waits, so access is revoked before the response. */
async function notifyFileRoom(env: Env, before: FileRow, after: FileRow): Promise<void> {
	const facts = (f: FileRow) => ({
		ownerId: f.ownerId,
		shared: f.shared,
		sharedLinkType: f.sharedLinkType,
		published: f.published,
		isDeleted: f.isDeleted,
		name: f.name,
	})
	for (let attempt = 1; ; attempt++) {
		try {
			await fileRoomStub(env, after.id).applyFileChange(facts(before), facts(after))
			return
		} catch (err) {
			if (attempt >= FILE_CHANGE_ATTEMPTS) throw err
			await new Promise((r) => setTimeout(r, 50 * attempt))
		}
	}
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
		onFileChanged: (before, after) => notifyFileRoom(env, before, after),
	}
}

/** Authenticates and rate-limits an HTTP API call, then runs it with a repository. */
async function apiCall<T>(req: Request, env: Env, fn: (deps: filesApi.FilesApiDeps) => Promise<T>): Promise<T> {
	const auth = await authenticate(req, env)
	await enforceRateLimit(env.API_RATE_LIMITER, rateLimitKey(req, auth?.userId ?? null))
	return withRepo(env, (repo) => fn(filesDeps(env, repo, auth)))
}

/** GET /app/file/:fileId as a WebSocket: the file's room, with the access decision of DESIGN §3. */
async function connectToFileRoom(req: Request, env: Env, fileId: string): Promise<Response> {
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
	return connectToRoom(fileRoomStub(env, fileId), req, {
		roomKey: roomKeyForFile(fileId),
		sessionId,
		isReadonly: file.decision.isReadonly,
		userId: auth?.userId ?? null,
		createSource: file.row!.createSource,
		fileName: file.row!.name,
	})
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
	// Files
	.post('/app/files', async (req, env) => {
		const body = await parseJsonBody(req, CreateFileBodySchema, MAX_CREATE_FILE_BODY_BYTES)
		return Response.json(await apiCall(req, env, (deps) => filesApi.createFile(deps, body)), { status: 201 })
	})
	.get('/app/files', async (req, env) => Response.json(await apiCall(req, env, (deps) => filesApi.listFiles(deps))))
	.get('/app/file/:fileId', async (req, env) => {
		const fileId = requireId(req.params.fileId, 'fileId')
		if (isUpgrade(req)) return connectToFileRoom(req, env, fileId)
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
} satisfies ExportedHandler<Env>
