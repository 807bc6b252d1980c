import { EXPORT_RETRY_MAX_MS, EXPORT_RETRY_MIN_MS } from '../config'

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

export type ExportDecision = { kind: 'skip'; why: 'unchanged' | 'not-advanced' } | { kind: 'write' }

/** Export only when the clock moved past the last export and the content hash differs. */
export function decideExport(opts: {
	clock: number
	lastExportedClock: number | null
	hash: string
	lastHash: string | null
}): ExportDecision {
	if (opts.lastExportedClock !== null && opts.clock <= opts.lastExportedClock) {
		return { kind: 'skip', why: 'not-advanced' }
	}
	if (opts.hash === opts.lastHash) return { kind: 'skip', why: 'unchanged' }
	return { kind: 'write' }
}
