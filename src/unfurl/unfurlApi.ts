import { requireAuth, type Auth } from '../auth/authenticateRequest'
import { ApiError, errorResponse } from '../http/errors'
import { checkUnfurlTarget } from './checkUnfurlTarget'
import { UNFURL_ERROR_STATUS, unfurlUrl, type FetchFn, type UnfurlErrorCode } from './unfurlUrl'

/** Browsers may reuse a preview for a while; it is per user (signed-in route), so never shared caches. */
export const UNFURL_CACHE_CONTROL = 'private, max-age=3600'

export type UnfurlDeps = {
	/** The caller; null is allowed only with `allowAnonymous` (the template route while anonymous rooms are on). */
	auth: Auth | null
	allowAnonymous?: boolean
	/** Defaults to the global fetch. */
	fetch?: FetchFn
	timeoutMs?: number
}

/**
 * GET /unfurl?url=… → 200 `{ title, description, image, favicon }`.
 * 400 INVALID_URL · 401 NOT_AUTHENTICATED · 403 FORBIDDEN_TARGET (also for a redirect to such a
 * target) · 502 UPSTREAM_ERROR · 504 UPSTREAM_TIMEOUT.
 *
 * Upstream failures are returned, not thrown: a slow or broken third-party site is not our outage, so
 * it must not reach the Worker's catch, which reports every 5xx to Sentry.
 */
export async function handleUnfurl(req: Request, deps: UnfurlDeps): Promise<Response> {
	if (!deps.allowAnonymous) requireAuth(deps.auth)
	const target = checkUnfurlTarget(new URL(req.url).searchParams.get('url'))
	if (!target.ok) throw unfurlError(target.code, target.message)
	// `fetch` must be called unbound-safe: workerd throws "Illegal invocation" for a detached global fetch.
	const doFetch: FetchFn = deps.fetch ?? ((url, init) => fetch(url, init))
	const result = await unfurlUrl(target.url, { fetch: doFetch, timeoutMs: deps.timeoutMs })
	if (!result.ok) return errorResponse(unfurlError(result.code, result.message))
	return Response.json(result.metadata, { headers: { 'Cache-Control': UNFURL_CACHE_CONTROL } })
}

function unfurlError(code: UnfurlErrorCode, message: string): ApiError {
	return new ApiError(UNFURL_ERROR_STATUS[code], code, message)
}
