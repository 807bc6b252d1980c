import { StatusError } from 'itty-router'

/** Stable machine-readable codes for HTTP errors; clients switch on `code`, humans read `error`. */
export const ErrorCode = {
	BAD_REQUEST: 'BAD_REQUEST',
	INVALID_ID: 'INVALID_ID',
	UPGRADE_REQUIRED: 'UPGRADE_REQUIRED',
	NOT_FOUND: 'NOT_FOUND',
	METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
	NOT_AUTHENTICATED: 'NOT_AUTHENTICATED',
	AUTH_NOT_CONFIGURED: 'AUTH_NOT_CONFIGURED',
	AUTH_UNAVAILABLE: 'AUTH_UNAVAILABLE',
	FORBIDDEN: 'FORBIDDEN',
	PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
	UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
	INVALID_SNAPSHOT: 'INVALID_SNAPSHOT',
	RATE_LIMITED: 'RATE_LIMITED',
	NOT_CONFIGURED: 'NOT_CONFIGURED',
	CLOCK_MISMATCH: 'CLOCK_MISMATCH',
	INVALID_URL: 'INVALID_URL',
	FORBIDDEN_TARGET: 'FORBIDDEN_TARGET',
	UPSTREAM_ERROR: 'UPSTREAM_ERROR',
	UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
	CONTENT_TYPE_MISMATCH: 'CONTENT_TYPE_MISMATCH',
	OBJECT_EXISTS: 'OBJECT_EXISTS',
	INVALID_RECORD: 'INVALID_RECORD',
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
