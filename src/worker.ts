import { cors, Router, type IRequest } from 'itty-router'
import { getConfig } from './config'
import type { Env } from './env'
import { ApiError, ErrorCode, errorResponse } from './http/errors'
import { encodeConnectRequest, CONNECT_HEADER, type ConnectRequest } from './room/connectRequest'
import { isValidId, roomKeyForAnonymousRoom } from './storage/keys'

export { RoomDurableObject } from '../durable-objects/RoomDurableObject'

/** A read-only slug is the room's Durable Object id: derived by a one-way hash, so it never reveals the room id. */
const SLUG_RE = /^[0-9a-f]{64}$/

type Req = IRequest & { env: Env }

function requireId(value: string | undefined, what: string): string {
	if (!value || !isValidId(value)) {
		throw new ApiError(400, ErrorCode.INVALID_ID, `${what} must match ^[A-Za-z0-9_-]{1,128}$`)
	}
	return value
}

function requireUpgrade(req: Request) {
	if (req.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
		throw new ApiError(426, ErrorCode.UPGRADE_REQUIRED, 'this route only accepts WebSocket upgrades')
	}
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

function connectToRoom(stub: DurableObjectStub, req: Request, connect: ConnectRequest): Promise<Response> {
	// Forward url + headers, not the router's request proxy (workerd rejects it as a Request).
	const headers = new Headers(req.headers)
	headers.set(CONNECT_HEADER, encodeConnectRequest(connect))
	return stub.fetch(req.url, { method: 'GET', headers })
}

function handleCors(env: Env) {
	const origins = getConfig(env).allowedOrigins
	return cors({
		origin: origins.includes('*') ? '*' : (origin: string) => (origins.includes(origin) ? origin : undefined),
		allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
		allowHeaders: ['Authorization', 'Content-Type'],
		maxAge: 86_400,
	})
}

const router = Router<Req, [Env, ExecutionContext]>({
	catch: errorResponse,
})

router
	.get('/health', () => Response.json({ ok: true }))
	.get('/r/:roomId/readonly-slug', (req, env) => {
		requireAnonymousRooms(env)
		const roomId = requireId(req.params.roomId, 'roomId')
		return Response.json({ slug: env.ROOM.idFromName(roomKeyForAnonymousRoom(roomId)).toString() })
	})
	.get('/r/:roomId', (req, env) => {
		requireAnonymousRooms(env)
		const roomId = requireId(req.params.roomId, 'roomId')
		requireUpgrade(req)
		const roomKey = roomKeyForAnonymousRoom(roomId)
		const stub = env.ROOM.get(env.ROOM.idFromName(roomKey))
		return connectToRoom(stub, req, { roomKey, sessionId: requireSessionId(req), isReadonly: false, userId: null })
	})
	.get('/ro/:slug', (req, env) => {
		requireAnonymousRooms(env)
		const slug = req.params.slug ?? ''
		if (!SLUG_RE.test(slug)) throw new ApiError(400, ErrorCode.INVALID_ID, 'slug must be 64 lowercase hex characters')
		requireUpgrade(req)
		let id: DurableObjectId
		try {
			id = env.ROOM.idFromString(slug)
		} catch {
			// Not an id of this namespace: forged or mistyped.
			throw new ApiError(400, ErrorCode.INVALID_ID, 'not a read-only slug issued by this server')
		}
		return connectToRoom(env.ROOM.get(id), req, { sessionId: requireSessionId(req), isReadonly: true, userId: null })
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

export default {
	async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
		try {
			getConfig(env)
		} catch (err) {
			// A misconfigured deployment answers 500 JSON on every route; the log names the variable.
			console.error(err)
			return errorResponse(err)
		}
		const { preflight, corsify } = handleCors(env)
		const req = stripApiPrefix(request)
		const pre = preflight(req as IRequest)
		if (pre) return pre
		const response: Response = await router.fetch(req, env, ctx)
		// WebSocket upgrade responses are immutable; CORS does not apply to them anyway.
		return response.status === 101 ? response : corsify(response, req)
	},
} satisfies ExportedHandler<Env>
