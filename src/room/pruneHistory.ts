import type { SnapshotStore } from '../storage/SnapshotStore'
import { planRetention } from './planRetention'

export interface HistoryIndex {
	allVersionStamps(): Array<{ id: number; createdAt: number; historyKey: string }>
	deleteVersions(ids: readonly number[]): void
}

/** Applies the retention policy: deletes thinned-out versions from R2 first, then from the index. */
export async function pruneHistory(opts: { index: HistoryIndex; store: SnapshotStore; nowMs: number }): Promise<number> {
	const stamps = opts.index.allVersionStamps()
	const doomed = new Set(planRetention(stamps, opts.nowMs))
	if (doomed.size === 0) return 0
	const victims = stamps.filter((s) => doomed.has(s.id))
	await opts.store.deleteVersions(victims.map((v) => v.historyKey))
	opts.index.deleteVersions(victims.map((v) => v.id))
	return victims.length
}
