import { ApiError, type ErrorCode } from '../http/errors'

/** HTTP error codes of the files API (a subset of `ErrorCode` in src/http/errors.ts). */
export const FileErrorCode = {
	/** Signed in, but not allowed (not the owner, or the file is private). Status 403. */
	FORBIDDEN: 'FORBIDDEN',
	/** Body larger than the route's cap. Status 413. */
	PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
	/** Body is not JSON (Content-Type). Status 415. */
	UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
	/** The uploaded .tldr file or snapshot is not a valid tldraw document. Status 400. */
	INVALID_SNAPSHOT: 'INVALID_SNAPSHOT',
} as const
export type FileErrorCode = (typeof FileErrorCode)[keyof typeof FileErrorCode]

export function fileError(status: number, code: FileErrorCode | ErrorCode, message: string): ApiError {
	return new ApiError(status, code, message)
}
