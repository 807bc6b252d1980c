/** WebSocket routes: anonymous rooms, read-only slugs, file rooms, the user-data socket. */
import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import type { Auth } from '../auth/authenticateRequest'
import { getConfig } from '../config'
import type { Env } from '../env'
import { decideRoomAccess } from '../files/decideRoomAccess'
import { closedSocketResponse, closedSocketWithCode, UserSocketCloseCode } from '../http/closedSocket'
import { ApiError, ErrorCode } from '../http/errors'
import { isAllowed, rateLimitKey } from '../http/rateLimit'
import { authenticate, requireAnonymousRooms, requireId, requireSessionId, requireUpgrade, withRepo, type Req } from '../http/request'
import { CONNECT_HEADER, encodeConnectRequest, type ConnectRequest } from '../room/connectRequest'
import { anonymousRoomAddress, fileRoomAddress } from '../room/RoomAddress'
import { fileRoomStub, readonlySlugOf, replicatorStub, roomStub, roomStubForSlug, userStub } from '../stubs'

/** A read-only slug is the room's Durable Object id (see `readonlySlugOf`): 64 lowercase hex characters. */
export const SLUG_RE = /^[0-9a-f]{64}$/

export function connectToRoom(stub: DurableObjectStub, req: Request, connect: ConnectRequest): Promise<Response> {
	// Forward url + headers, not the router's request proxy (workerd rejects it as a Request).
	const headers = new Headers(req.headers)
	headers.set(CONNECT_HEADER, encodeConnectRequest(connect))
	return stub.fetch(req.url, { method: 'GET', headers })
}

/** GET /app/file/:fileId as a WebSocket: the file's room, with the access decision of `decideRoomAccess` (ARCHITECTURE.md §3). */
export async function connectToFileRoom(req: Request, env: Env, ctx: ExecutionContext, fileId: string): Promise<Response> {
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
		const decision = decideRoomAccess(row, auth)
		if (decision.kind === 'allow' && auth) {
			// A signed-in visitor gets a file_state row, so the file shows up in their list.
			await repo.upsertUser({ id: auth.userId, name: auth.name, email: auth.email })
			await repo.recordVisit(auth.userId, fileId)
		}
		return { row, decision }
	})
	if (file.decision.kind === 'deny') return closedSocketResponse(file.decision.reason)
	kickReplicator(env, ctx)
	const address = fileRoomAddress(file.row!)
	return connectToRoom(fileRoomStub(env, fileId), req, {
		...address,
		sessionId,
		isReadonly: file.decision.isReadonly,
		userId: auth?.userId ?? null,
		isOwner: auth !== null && file.row!.ownerId === auth.userId,
		fileName: file.row!.name,
	})
}

export async function anonymousRoomAllowed(req: Request, env: Env): Promise<boolean> {
	return isAllowed(env.ROOM_CONNECT_RATE_LIMITER, rateLimitKey(req, null))
}

/** Starts the replication stream if this deployment has Postgres; its own alarm keeps it alive after that. */
export function kickReplicator(env: Env, ctx: ExecutionContext) {
	if (!getConfig(env).databaseUrl) return
	ctx.waitUntil(replicatorStub(env).ensureRunning().catch((err) => console.error('replicator did not start:', err)))
}

/** GET /app/:userId/connect (WebSocket): the user-data socket; the token's user must be `:userId`. */
export async function connectUserSocket(req: Req, env: Env, ctx: ExecutionContext): Promise<Response> {
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
	const stub = userStub(env, userId)
	const headers = new Headers(req.headers)
	headers.set('x-sync-user', userId)
	return stub.fetch(req.url, { method: 'GET', headers })
}

/** GET /r/:roomId/readonly-slug → { slug } */
export function readonlySlug(req: Req, env: Env): Response {
	requireAnonymousRooms(env)
	const roomId = requireId(req.params.roomId, 'roomId')
	return Response.json({ slug: readonlySlugOf(env, anonymousRoomAddress(roomId).roomKey) })
}

/** GET /r/:roomId (WebSocket): an anonymous read-write room. */
export async function connectAnonymousRoom(req: Req, env: Env): Promise<Response> {
	requireAnonymousRooms(env)
	const roomId = requireId(req.params.roomId, 'roomId')
	requireUpgrade(req)
	const sessionId = requireSessionId(req)
	if (!(await anonymousRoomAllowed(req, env))) return closedSocketResponse(TLSyncErrorCloseEventReason.RATE_LIMITED)
	const { roomKey } = anonymousRoomAddress(roomId)
	return connectToRoom(roomStub(env, roomKey), req, { roomKey, sessionId, isReadonly: false, userId: null })
}

/** GET /ro/:slug (WebSocket): the read-only view of an anonymous room. */
export async function connectReadonlyRoom(req: Req, env: Env): Promise<Response> {
	requireAnonymousRooms(env)
	const slug = req.params.slug ?? ''
	if (!SLUG_RE.test(slug)) throw new ApiError(400, ErrorCode.INVALID_ID, 'slug must be 64 lowercase hex characters')
	requireUpgrade(req)
	const sessionId = requireSessionId(req)
	const stub = roomStubForSlug(env, slug)
	if (!stub) throw new ApiError(400, ErrorCode.INVALID_ID, 'not a read-only slug issued by this server')
	if (!(await anonymousRoomAllowed(req, env))) return closedSocketResponse(TLSyncErrorCloseEventReason.RATE_LIMITED)
	return connectToRoom(stub, req, { sessionId, isReadonly: true, userId: null })
}
