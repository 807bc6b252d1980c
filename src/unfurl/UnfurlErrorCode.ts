import { ApiError, type ErrorCode } from '../http/errors'

/**
 * HTTP error codes of GET /unfurl, with their statuses. The auth layer adds 401 NOT_AUTHENTICATED and
 * the rate limiter 429 RATE_LIMITED.
 */
export const UnfurlErrorCode = {
	/** `url` missing, unparsable, too long, or not http(s). Status 400. */
	INVALID_URL: 'INVALID_URL',
	/** `url` (or a redirect) points at a non-public address or carries credentials. Status 403. */
	FORBIDDEN_TARGET: 'FORBIDDEN_TARGET',
	/** The site could not be reached, answered an error, or redirected too often / without a Location. Status 502. */
	UPSTREAM_ERROR: 'UPSTREAM_ERROR',
	/** The site did not answer (headers and the capped body) within the time limit. Status 504. */
	UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
} as const
export type UnfurlErrorCode = (typeof UnfurlErrorCode)[keyof typeof UnfurlErrorCode]

export const UNFURL_ERROR_STATUS = {
	INVALID_URL: 400,
	FORBIDDEN_TARGET: 403,
	UPSTREAM_ERROR: 502,
	UPSTREAM_TIMEOUT: 504,
} as const satisfies Record<UnfurlErrorCode, number>

export function unfurlError(code: UnfurlErrorCode, message: string): ApiError {
	// The cast lets this compile before src/http/errors.ts lists these codes; afterwards it is a no-op.
	return new ApiError(UNFURL_ERROR_STATUS[code], code as string as ErrorCode, message)
}
