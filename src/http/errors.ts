import { StatusError } from 'itty-router'

/**
 * Every machine-readable error code, for HTTP errors (`{ error, code }`); clients switch on `code`,
 * humans read `error`. The comment gives a code's status where it has only one.
 */
export const ErrorCode = {
	BAD_REQUEST: 'BAD_REQUEST',
	INVALID_ID: 'INVALID_ID',
	UPGRADE_REQUIRED: 'UPGRADE_REQUIRED',
	NOT_FOUND: 'NOT_FOUND',
	METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
	/** No token, or a token that failed verification (expired, wrong key, wrong azp, …). 401. */
	NOT_AUTHENTICATED: 'NOT_AUTHENTICATED',
	/** Neither CLERK_JWT_KEY nor CLERK_SECRET_KEY is set, so no token can be checked. 500. */
	AUTH_NOT_CONFIGURED: 'AUTH_NOT_CONFIGURED',
	/** Clerk's keys could not be loaded (CLERK_SECRET_KEY path: network or a bad secret key). 503. */
	AUTH_UNAVAILABLE: 'AUTH_UNAVAILABLE',
	/** Signed in, but not allowed (not the owner, the file is private, read-only access). 403. */
	FORBIDDEN: 'FORBIDDEN',
	/** Body larger than the route's cap. 413. */
	PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
	/** The document would pass MAX_DOCUMENT_BYTES (records API, imports); nothing was applied. 413. */
	DOCUMENT_TOO_LARGE: 'DOCUMENT_TOO_LARGE',
	/** Body is not of the type the route takes (Content-Type). 415. */
	UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
	/** The uploaded .tldr file or snapshot is not a valid tldraw document. 400. */
	INVALID_SNAPSHOT: 'INVALID_SNAPSHOT',
	RATE_LIMITED: 'RATE_LIMITED',
	NOT_CONFIGURED: 'NOT_CONFIGURED',
	/** `expectedClock` differs from the document clock. 409. */
	CLOCK_MISMATCH: 'CLOCK_MISMATCH',
	/** GET /unfurl: `url` missing, unparsable, too long, or not http(s). 400. */
	INVALID_URL: 'INVALID_URL',
	/** GET /unfurl: `url` (or a redirect) points at a non-public address or carries credentials. 403. */
	FORBIDDEN_TARGET: 'FORBIDDEN_TARGET',
	/** GET /unfurl: the site could not be reached, answered an error, or redirected too often / without a Location. 502. */
	UPSTREAM_ERROR: 'UPSTREAM_ERROR',
	/** GET /unfurl: the site did not answer (headers and the capped body) within the time limit. 504. */
	UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
	/** Uploads: the bytes are not what the Content-Type says (an HTML page sent as image/png). 415. */
	CONTENT_TYPE_MISMATCH: 'CONTENT_TYPE_MISMATCH',
	/** Uploads: the object name is taken by another user's upload, or by different bytes. 409. */
	OBJECT_EXISTS: 'OBJECT_EXISTS',
	INVALID_RECORD: 'INVALID_RECORD',
	/** DELETE /app/me without `{ "confirm": "<your user id>" }`. 400. */
	CONFIRMATION_REQUIRED: 'CONFIRMATION_REQUIRED',
	INTERNAL: 'INTERNAL',
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export class ApiError extends StatusError {
	constructor(
		status: number,
		readonly code: ErrorCode,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(status, message)
	}
}

/** An authentication failure; a 401 tells the client how to authenticate (RFC 6750). */
export function authError(status: number, code: ErrorCode, message: string): ApiError {
	return new ApiError(status, code, message, status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {})
}

/** Errors we threw on purpose; anything else is a bug or an outage and gets reported. */
export function isExpectedError(err: unknown): boolean {
	return err instanceof StatusError && err.status < 500
}

/** One place maps any thrown value to `{ error, code }` JSON; unexpected errors never leak details. */
export function errorResponse(err: unknown): Response {
	if (err instanceof ApiError) {
		return Response.json({ error: err.message, code: err.code }, { status: err.status, headers: err.headers })
	}
	if (err instanceof StatusError) {
		return Response.json({ error: err.message, code: codeForStatus(err.status) }, { status: err.status })
	}
	return Response.json({ error: 'internal error', code: ErrorCode.INTERNAL }, { status: 500 })
}

function codeForStatus(status: number): ErrorCode {
	if (status === 404) return ErrorCode.NOT_FOUND
	if (status === 426) return ErrorCode.UPGRADE_REQUIRED
	if (status === 405) return ErrorCode.METHOD_NOT_ALLOWED
	if (status === 401) return ErrorCode.NOT_AUTHENTICATED
	if (status === 403) return ErrorCode.FORBIDDEN
	if (status === 413) return ErrorCode.PAYLOAD_TOO_LARGE
	if (status === 429) return ErrorCode.RATE_LIMITED
	if (status >= 500) return ErrorCode.INTERNAL
	return ErrorCode.BAD_REQUEST
}
