/** What a purge job has done so far, as its store reports it. */
export interface PurgeState {
	collected: boolean
	rowsDeleted: boolean
	/** Files whose room and R2 objects are not purged yet, in order. */
	pendingFiles: readonly string[]
	pendingAssets: number
}

export type PurgeStep =
	| { kind: 'collect' }
	| { kind: 'purge-file'; fileId: string }
	| { kind: 'purge-assets' }
	| { kind: 'delete-rows' }
	| { kind: 'finish' }

/**
 * The next step of DELETE /app/me's purge (pure: table-tested). Files are purged outside Postgres first
 * (rooms, R2), then uploads, then the Postgres rows in one transaction; files that appeared meanwhile come
 * back from that transaction and are purged after it. Every step is idempotent, so a job that crashed
 * half-way simply runs its next step again.
 */
export function nextPurgeStep(s: PurgeState): PurgeStep {
	if (!s.collected) return { kind: 'collect' }
	const next = s.pendingFiles[0]
	if (next !== undefined) return { kind: 'purge-file', fileId: next }
	if (s.pendingAssets > 0) return { kind: 'purge-assets' }
	if (!s.rowsDeleted) return { kind: 'delete-rows' }
	return { kind: 'finish' }
}
