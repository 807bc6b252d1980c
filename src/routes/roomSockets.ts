/** WebSocket routes: anonymous rooms, read-only slugs, file rooms, the user-data socket. */
import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import { withoutAccessToken } from '../auth/extractToken'
import { getConfig } from '../config'
import type { Env } from '../env'
import { decideRoomAccess } from '../files/decideRoomAccess'
import { closedSocketResponse, closedSocketWithCode, UserSocketCloseCode } from '../http/closedSocket'
import { ApiError, ErrorCode } from '../http/errors'
import { requireAnonymousRooms, requireId, requireSessionId, withRepo, type Req } from './request'
import type { Caller, SocketDenial } from './routeSteps'
import { CONNECT_HEADER, encodeConnectRequest, type ConnectRequest } from '../room/connectRequest'
import { anonymousRoomAddress, fileRoomAddress } from '../room/RoomAddress'
import { fileRoomStub, readonlySlugOf, replicatorStub, roomStub, roomStubForSlug, userStub } from '../stubs'

/** A read-only slug is the room's Durable Object id (see `readonlySlugOf`): 64 lowercase hex characters. */
export const SLUG_RE = /^[0-9a-f]{64}$/

/** How a room socket is refused before it reaches the room: tldraw's 4099 with the reason. */
export function denyRoomSocket(reason: SocketDenial): Response {
	return closedSocketResponse(TLSyncErrorCloseEventReason[reason])
}

/** How a user-data socket is refused before it reaches the user object. */
export function denyUserSocket(reason: SocketDenial): Response {
	return reason === 'NOT_AUTHENTICATED'
		? closedSocketWithCode(UserSocketCloseCode.NOT_AUTHENTICATED, 'NOT_AUTHENTICATED')
		: closedSocketWithCode(UserSocketCloseCode.FORBIDDEN, 'RATE_LIMITED')
}

/**
 * Forwards an authenticated upgrade to its Durable Object: url + headers, not the router's request proxy
 * (workerd rejects it as a Request), and without the token — the object never needs it, and nothing
 * downstream should be able to log it.
 */
export function forwardUpgrade(stub: DurableObjectStub, req: Request, extraHeaders: Record<string, string>): Promise<Response> {
	const headers = new Headers(req.headers)
	headers.delete('Authorization')
	for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value)
	return stub.fetch(withoutAccessToken(req.url), { method: 'GET', headers })
}

export function connectToRoom(stub: DurableObjectStub, req: Request, connect: ConnectRequest): Promise<Response> {
	return forwardUpgrade(stub, req, { [CONNECT_HEADER]: encodeConnectRequest(connect) })
}

/** GET /app/file/:fileId as a WebSocket: the file's room, with the access decision of `decideRoomAccess` (ARCHITECTURE.md §3). */
export async function connectToFileRoom(req: Req, env: Env, ctx: ExecutionContext, { auth }: Caller): Promise<Response> {
	const fileId = requireId(req.params.fileId, 'fileId')
	const sessionId = requireSessionId(req)
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

/** Starts the replication stream if this deployment has Postgres; its own alarm keeps it alive after that. */
export function kickReplicator(env: Env, ctx: ExecutionContext) {
	if (!getConfig(env).databaseUrl) return
	ctx.waitUntil(replicatorStub(env).ensureRunning().catch((err) => console.error('replicator did not start:', err)))
}

/** GET /app/:userId/connect (WebSocket): the user-data socket; the token's user must be `:userId`. */
export async function connectUserSocket(req: Req, env: Env, ctx: ExecutionContext, { auth }: Caller): Promise<Response> {
	const userId = requireId(req.params.userId, 'userId')
	if (!auth) return denyUserSocket('NOT_AUTHENTICATED')
	if (auth.userId !== userId) return closedSocketWithCode(UserSocketCloseCode.FORBIDDEN, 'FORBIDDEN: token is for another user')
	await withRepo(env, (repo) => repo.upsertUser({ id: auth.userId, name: auth.name, email: auth.email }))
	kickReplicator(env, ctx)
	return forwardUpgrade(userStub(env, userId), req, { 'x-sync-user': userId })
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
	const sessionId = requireSessionId(req)
	const { roomKey } = anonymousRoomAddress(roomId)
	return connectToRoom(roomStub(env, roomKey), req, { roomKey, sessionId, isReadonly: false, userId: null })
}

/** GET /ro/:slug (WebSocket): the read-only view of an anonymous room. */
export async function connectReadonlyRoom(req: Req, env: Env): Promise<Response> {
	requireAnonymousRooms(env)
	const slug = req.params.slug ?? ''
	if (!SLUG_RE.test(slug)) throw new ApiError(400, ErrorCode.INVALID_ID, 'slug must be 64 lowercase hex characters')
	const sessionId = requireSessionId(req)
	const stub = roomStubForSlug(env, slug)
	if (!stub) throw new ApiError(400, ErrorCode.INVALID_ID, 'not a read-only slug issued by this server')
	return connectToRoom(stub, req, { sessionId, isReadonly: true, userId: null })
}
