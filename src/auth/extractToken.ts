import { authError, ErrorCode } from '../http/errors'

/** Longer than any Clerk session token; bounds the work done on garbage. */
export const MAX_TOKEN_CHARS = 8_192

/** The query parameter `useSync` apps put the token in, for WebSocket upgrades only. */
export const ACCESS_TOKEN_PARAM = 'accessToken'

/**
 * How the request arrived: browsers can't set headers on WebSocket upgrades, so those (and only those) may
 * carry the token in the URL. Anywhere else a URL token ends up in request logs, proxies and browser history.
 */
export type Transport = 'http' | 'websocket'

/**
 * The session token of a request: `Authorization: Bearer <token>` or, on a WebSocket upgrade, the
 * `accessToken` query parameter (the header wins when both are present). Returns null when there is no
 * token; throws 401 for a malformed header (a client bug, not an anonymous caller) and for a token in the
 * URL of a plain HTTP request, with a hint to use the header.
 */
export function extractToken(request: { headers: Headers; url: string }, transport: Transport = 'http'): string | null {
	const fromQuery = new URL(request.url).searchParams.get(ACCESS_TOKEN_PARAM)
	if (transport === 'http' && fromQuery !== null) {
		throw authError(401, ErrorCode.NOT_AUTHENTICATED, `${ACCESS_TOKEN_PARAM} in the URL is accepted only on WebSocket upgrades: send the token as "Authorization: Bearer <token>"`)
	}
	const header = request.headers.get('Authorization')
	let token: string | null = null
	if (header !== null) {
		const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header.trim())
		if (!match?.[1]) {
			throw authError(401, ErrorCode.NOT_AUTHENTICATED, 'Authorization header must be "Bearer <token>"')
		}
		token = match[1]
	} else if (fromQuery !== null && fromQuery.trim() !== '') {
		token = fromQuery.trim()
	}
	if (token !== null && token.length > MAX_TOKEN_CHARS) {
		throw authError(401, ErrorCode.NOT_AUTHENTICATED, `token is longer than ${MAX_TOKEN_CHARS} characters`)
	}
	return token
}

/** `url` without its `accessToken`, for anything that forwards or records a URL after authentication. */
export function withoutAccessToken(url: string): string {
	const u = new URL(url)
	if (!u.searchParams.has(ACCESS_TOKEN_PARAM)) return url
	u.searchParams.delete(ACCESS_TOKEN_PARAM)
	return u.toString()
}
