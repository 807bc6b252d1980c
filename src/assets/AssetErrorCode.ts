import { ApiError, type ErrorCode } from '../http/errors'

/**
 * HTTP error codes of /app/uploads (besides the shared NOT_AUTHENTICATED, FORBIDDEN, NOT_FOUND,
 * INVALID_ID, BAD_REQUEST, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE and RATE_LIMITED).
 */
export const AssetErrorCode = {
	/** The bytes are not what the Content-Type says (an HTML page sent as image/png). Status 415. */
	CONTENT_TYPE_MISMATCH: 'CONTENT_TYPE_MISMATCH',
	/** The object name is taken by another user's upload, or by different bytes. Status 409. */
	OBJECT_EXISTS: 'OBJECT_EXISTS',
} as const
export type AssetErrorCode = (typeof AssetErrorCode)[keyof typeof AssetErrorCode]

export function assetError(status: number, code: AssetErrorCode | ErrorCode, message: string, headers: Record<string, string> = {}): ApiError {
	// The cast lets this compile before src/http/errors.ts lists these codes; afterwards it is a no-op.
	return new ApiError(status, code as string as ErrorCode, message, headers)
}
