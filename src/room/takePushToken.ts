/** A token bucket per session: `ratePerSecond` refill, `burst` capacity. */
export interface PushBucket {
	tokens: number
	updatedAtMs: number
}

/**
 * Spends one token for a push, refilling by elapsed time first. A stock tldraw client pushes at most
 * 30 times a second, so the default (60/s, burst 120) only stops clients that flood the room.
 */
export function takePushToken(
	bucket: PushBucket | undefined,
	nowMs: number,
	ratePerSecond: number,
	burst: number,
): { allowed: boolean; bucket: PushBucket } {
	const prev = bucket ?? { tokens: burst, updatedAtMs: nowMs }
	const elapsedMs = Math.max(0, nowMs - prev.updatedAtMs)
	const tokens = Math.min(burst, prev.tokens + (elapsedMs * ratePerSecond) / 1000)
	if (tokens < 1) return { allowed: false, bucket: { tokens, updatedAtMs: nowMs } }
	return { allowed: true, bucket: { tokens: tokens - 1, updatedAtMs: nowMs } }
}
