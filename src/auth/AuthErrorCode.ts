import { ApiError } from '../http/errors'

/** HTTP error codes of the auth layer (a subset of `ErrorCode` in src/http/errors.ts). */
export const AuthErrorCode = {
	/** No token, or a token that failed verification (expired, wrong key, wrong azp, …). Status 401. */
	NOT_AUTHENTICATED: 'NOT_AUTHENTICATED',
	/** Neither CLERK_JWT_KEY nor CLERK_SECRET_KEY is set, so no token can be checked. Status 500. */
	AUTH_NOT_CONFIGURED: 'AUTH_NOT_CONFIGURED',
	/** Clerk's keys could not be loaded (CLERK_SECRET_KEY path: network or a bad secret key). Status 503. */
	AUTH_UNAVAILABLE: 'AUTH_UNAVAILABLE',
} as const
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode]

export function authError(status: number, code: AuthErrorCode, message: string): ApiError {
	const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}
	return new ApiError(status, code, message, headers)
}
