import { EXPORT_RETRY_MAX_MS, EXPORT_RETRY_MIN_MS } from '../config'
import { CHECKPOINT_CHAIN_FRACTION, CHECKPOINT_EVERY_VERSIONS } from './chainLimits'

/**
 * The pure decisions behind a room's history (table-tested in test/unit/history.test.ts): when to export,
 * when a version is a checkpoint rather than a change set, which versions retention drops and how the chain
 * is re-linked around them.
 */

export type AlarmReason = 'changed' | 'last-session-left' | 'retry'

/**
 * When the next export alarm should fire. An existing earlier alarm is kept, so a busy room exports at
 * most once per interval; the last session leaving exports at once so an idle room is safe in R2.
 */
export function nextExportAlarm(opts: {
	now: number
	currentAlarm: number | null
	reason: AlarmReason
	persistIntervalMs: number
	failures: number
}): number {
	const wanted =
		opts.reason === 'changed'
			? opts.now + opts.persistIntervalMs
			: opts.reason === 'last-session-left'
				? opts.now
				: opts.now + exportRetryDelayMs(opts.failures)
	return opts.currentAlarm === null ? wanted : Math.min(opts.currentAlarm, wanted)
}

/** Exponential backoff for failed R2 exports: 1 s, 2 s, 4 s … capped at 60 s. */
export function exportRetryDelayMs(failures: number): number {
	if (failures <= 0) return EXPORT_RETRY_MIN_MS
	return Math.min(EXPORT_RETRY_MAX_MS, EXPORT_RETRY_MIN_MS * 2 ** Math.min(failures - 1, 16))
}

export { CHECKPOINT_CHAIN_FRACTION, CHECKPOINT_EVERY_VERSIONS } from './chainLimits'

export interface ChainState {
	/** Change sets after the newest checkpoint. */
	length: number
	/** Their total bytes. */
	bytes: number
	/** The newest checkpoint's bytes. */
	checkpointBytes: number
}

/** Whether a new version may be a change set of `changeBytes` on the current chain, or must be a checkpoint. */
export function chooseVersionKind(chain: ChainState | null, changeBytes: number): 'changes' | 'checkpoint' {
	if (chain === null) return 'checkpoint'
	if (chain.length + 1 > CHECKPOINT_EVERY_VERSIONS) return 'checkpoint'
	return chain.bytes + changeBytes <= CHECKPOINT_CHAIN_FRACTION * chain.checkpointBytes ? 'changes' : 'checkpoint'
}

/** Everything from the last day, then one version per hour for a week, then one per day. */
export const RETENTION_KEEP_ALL_MS = 24 * 60 * 60 * 1000
export const RETENTION_HOURLY_MS = 7 * 24 * 60 * 60 * 1000
/** Retention runs when a room goes idle, or at least this often in a room that never does. */
export const RETENTION_MAX_DEFER_MS = 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS

export interface VersionStamp {
	id: number
	createdAt: number
}

/**
 * Which versions to drop so history stays bounded: all versions younger than a day are kept; older ones are
 * thinned to the newest per hour (up to a week) and then the newest per UTC day. The newest version overall
 * is always kept.
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

export interface ChainRow {
	id: number
	kind: 'changes' | 'checkpoint'
}

export interface Relink {
	id: number
	/** A change set from `baseId` (the previous kept version), or a checkpoint. */
	kind: 'changes' | 'checkpoint'
	baseId: number | null
}

/**
 * How retention keeps every kept version readable when it drops `doomed` ones: a kept change set whose
 * predecessor is dropped absorbs the dropped changes — it becomes a change set from the previous kept
 * version, or a checkpoint when there is none or the chain would grow past CHECKPOINT_EVERY_VERSIONS
 * (counting the kept change sets that follow it). Checkpoints and unaffected change sets stay as they are.
 * `rows` are in chain order (ascending id).
 */
export function planRelinks(rows: readonly ChainRow[], doomed: ReadonlySet<number>): Relink[] {
	const kept = rows.filter((r) => !doomed.has(r.id))
	const relinks: Relink[] = []
	// Change sets after the newest checkpoint, in the chain as it will be after the relinks.
	let length = 0
	for (let k = 0; k < kept.length; k++) {
		const row = kept[k]!
		const index = rows.indexOf(row)
		const predecessorDropped = index > 0 && doomed.has(rows[index - 1]!.id)
		if (row.kind === 'checkpoint') {
			length = 0
			continue
		}
		if (!predecessorDropped) {
			length++
			continue
		}
		let following = 0
		while (kept[k + 1 + following]?.kind === 'changes') following++
		const base = k > 0 ? kept[k - 1]! : null
		if (base !== null && length + 1 + following <= CHECKPOINT_EVERY_VERSIONS) {
			relinks.push({ id: row.id, kind: 'changes', baseId: base.id })
			length++
		} else {
			relinks.push({ id: row.id, kind: 'checkpoint', baseId: null })
			length = 0
		}
	}
	return relinks
}
