/**
 * The one step each kind of route runs before its handler (issue 9 item 3): path parameters decoded once,
 * then the caller authenticated and charged to its rate limit — all before the handler reads a byte of
 * the body. Every route in src/worker.ts is wrapped in exactly one of these; handlers get the `Caller`
 * and never authenticate or rate-limit themselves.
 *
 * | kind          | token from                          | limiter                   | denial            |
 * |---------------|-------------------------------------|---------------------------|-------------------|
 * | `apiRoute`    | Authorization header (URL → 401)    | API_RATE_LIMITER (*)      | HTTP 401 / 429    |
 * | `socketRoute` | header or `?accessToken=` (upgrade) | ROOM_CONNECT_RATE_LIMITER | a closed socket   |
 * | `adminRoute`  | ADMIN_TOKEN bearer                  | —                         | HTTP 401 / 404    |
 * | `publicRoute` | none (public, immutable reads)      | —                         | —                 |
 *
 * (*) signed-out callers of the template client's routes: ANONYMOUS_API_RATE_LIMITER.
 */
import { authenticateRequest, type Auth } from '../auth/authenticateRequest'
import { getConfig } from '../config'
import { AccountDeletedError } from '../db/userTombstones'
import type { Env } from '../env'
import { ApiError, ErrorCode } from '../http/errors'
import { decodePathParams } from '../http/pathParams'
import { enforceRateLimit, isAllowed, rateLimitKey } from '../http/rateLimit'
import type { Req } from './request'

/** Who is calling, after the route's step: the verified session (null: anonymous) and the key it is charged to. */
export interface Caller {
	auth: Auth | null
	rateLimitKey: string
}

export type Handler<C = Caller> = (req: Req, env: Env, ctx: ExecutionContext, caller: C) => Response | Promise<Response>
type RouteHandler = (req: Req, env: Env, ctx: ExecutionContext) => Promise<Response>

/** Why a WebSocket upgrade is refused before its handler runs; each socket kind closes in its own way. */
export type SocketDenial = 'NOT_AUTHENTICATED' | 'RATE_LIMITED'

/**
 * HTTP API routes: a token only in the Authorization header, charged to API_RATE_LIMITER — or, for
 * signed-out callers of routes made for them (the template client's), to `anonymousLimiter`.
 */
export function apiRoute(handler: Handler, opts: { anonymousLimiter?: 'ANONYMOUS_API_RATE_LIMITER' } = {}): RouteHandler {
	return async (req, env, ctx) => {
		decodeParams(req)
		const auth = await authenticateRequest(req, getConfig(env).auth, 'http')
		const key = keyOf(req, env, auth)
		await enforceRateLimit(auth || !opts.anonymousLimiter ? env.API_RATE_LIMITER : env[opts.anonymousLimiter], key)
		return handler(req, env, ctx, { auth, rateLimitKey: key })
	}
}

/**
 * WebSocket upgrades: the token may be in the URL (browsers can't set headers there), charged to
 * ROOM_CONNECT_RATE_LIMITER. A bad token, a deleted account or an exhausted budget is answered with a
 * socket that `deny` closes, so clients show the reason instead of retrying an HTTP error.
 */
export function socketRoute(deny: (reason: SocketDenial) => Response, handler: Handler): RouteHandler {
	return async (req, env, ctx) => {
		decodeParams(req)
		requireUpgrade(req)
		let auth: Auth | null
		try {
			auth = await authenticateRequest(req, getConfig(env).auth, 'websocket')
		} catch (err) {
			if (err instanceof ApiError && err.status === 401) return deny('NOT_AUTHENTICATED')
			throw err
		}
		const key = keyOf(req, env, auth)
		if (!(await isAllowed(env.ROOM_CONNECT_RATE_LIMITER, key))) return deny('RATE_LIMITED')
		try {
			return await handler(req, env, ctx, { auth, rateLimitKey: key })
		} catch (err) {
			// A deleted account's token still verifies; the handler finds out when it upserts the user.
			if (err instanceof AccountDeletedError) return deny('NOT_AUTHENTICATED')
			throw err
		}
	}
}

/** Admin routes: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time; 404 when no token is set. */
export function adminRoute(handler: Handler<null>): RouteHandler {
	return async (req, env, ctx) => {
		decodeParams(req)
		requireAdmin(req, env)
		return handler(req, env, ctx, null)
	}
}

/** Public reads of immutable or published objects (cached by browsers and CDNs): no caller at all. */
export function publicRoute(handler: Handler<null>): RouteHandler {
	return async (req, env, ctx) => {
		decodeParams(req)
		return handler(req, env, ctx, null)
	}
}

function decodeParams(req: Req) {
	req.params = decodePathParams(req.params ?? {})
}

function keyOf(req: Req, env: Env, auth: Auth | null): string {
	return rateLimitKey({ userId: auth?.userId ?? null, headers: req.headers, clientIpHeader: getConfig(env).clientIpHeader })
}

export function isUpgrade(req: Request): boolean {
	return req.headers.get('Upgrade')?.toLowerCase() === 'websocket'
}

export function requireUpgrade(req: Request) {
	if (!isUpgrade(req)) throw new ApiError(426, ErrorCode.UPGRADE_REQUIRED, 'this route only accepts WebSocket upgrades')
}

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
