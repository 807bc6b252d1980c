import { ApiError, ErrorCode } from './errors'

/**
 * The caller's key for rate limits: the user when signed in, else the client IP from Cloudflare's edge
 * (`cf-connecting-ip`, which clients cannot set there; locally wrangler sets 127.0.0.1, so all signed-out
 * local callers share one key). null when neither is known.
 */
export function rateLimitKey(request: Request, userId: string | null): string | null {
	if (userId) return `user:${userId}`
	const ip = request.headers.get('cf-connecting-ip')
	return ip ? `ip:${ip}` : null
}

/** Seconds until a fixed-window limiter (period 10 or 60 s) lets the key through again, at most. */
export const RATE_LIMIT_RETRY_AFTER_S = 60

export async function isAllowed(limiter: RateLimit, key: string | null): Promise<boolean> {
	if (key === null) return true
	const { success } = await limiter.limit({ key })
	return success
}

export async function enforceRateLimit(limiter: RateLimit, key: string | null): Promise<void> {
	if (!(await isAllowed(limiter, key))) {
		throw new ApiError(429, ErrorCode.RATE_LIMITED, 'too many requests; slow down and retry later', {
			'Retry-After': String(RATE_LIMIT_RETRY_AFTER_S),
		})
	}
}
