import { StatusError } from 'itty-router'

/** Stable machine-readable codes for HTTP errors; clients switch on `code`, humans read `error`. */
export const ErrorCode = {
	BAD_REQUEST: 'BAD_REQUEST',
	INVALID_ID: 'INVALID_ID',
	UPGRADE_REQUIRED: 'UPGRADE_REQUIRED',
	NOT_FOUND: 'NOT_FOUND',
	METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
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
	if (status >= 500) return ErrorCode.INTERNAL
	return ErrorCode.BAD_REQUEST
}
