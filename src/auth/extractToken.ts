import { authError, ErrorCode } from '../http/errors'

/** Longer than any Clerk session token; bounds the work done on garbage. */
export const MAX_TOKEN_CHARS = 8_192

/**
 * The session token of a request: `Authorization: Bearer <token>` or, for WebSocket upgrades (browsers
 * can't set headers on them; `useSync` puts it in the URL), the `accessToken` query parameter.
 * The header wins when both are present. Returns null when there is no token at all; throws 401 for
 * a malformed header, so a client bug is reported instead of silently treated as anonymous.
 */
export function extractToken(request: { headers: Headers; url: string }): string | null {
	const header = request.headers.get('Authorization')
	let token: string | null = null
	if (header !== null) {
		const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header.trim())
		if (!match?.[1]) {
			throw authError(401, ErrorCode.NOT_AUTHENTICATED, 'Authorization header must be "Bearer <token>"')
		}
		token = match[1]
	} else {
		const fromQuery = new URL(request.url).searchParams.get('accessToken')
		if (fromQuery !== null && fromQuery.trim() !== '') token = fromQuery.trim()
	}
	if (token !== null && token.length > MAX_TOKEN_CHARS) {
		throw authError(401, ErrorCode.NOT_AUTHENTICATED, `token is longer than ${MAX_TOKEN_CHARS} characters`)
	}
	return token
}
