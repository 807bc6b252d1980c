/** Everything from the last day, then one version per hour for a week, then one per day. */
export const RETENTION_KEEP_ALL_MS = 24 * 60 * 60 * 1000
export const RETENTION_HOURLY_MS = 7 * 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS

export interface VersionStamp {
	id: number
	createdAt: number
}

/**
 * Which versions to delete so history stays bounded: all versions younger than a day are kept; older
 * ones are thinned to the newest per hour (up to a week) and then the newest per UTC day. The newest
 * version overall is always kept. Pure, so the policy is table-tested (test/unit/history.test.ts).
 */
export function planRetention(versions: readonly VersionStamp[], nowMs: number): number[] {
	const newestFirst = [...versions].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
	const seenBuckets = new Set<string>()
	const doomed: number[] = []
	newestFirst.forEach((v, i) => {
		const age = nowMs - v.createdAt
		if (age < RETENTION_KEEP_ALL_MS) return
		const bucket = age < RETENTION_HOURLY_MS ? `h${Math.floor(v.createdAt / HOUR_MS)}` : `d${Math.floor(v.createdAt / DAY_MS)}`
		if (i > 0 && seenBuckets.has(bucket)) doomed.push(v.id)
		else seenBuckets.add(bucket)
	})
	return doomed.sort((a, b) => a - b)
}
