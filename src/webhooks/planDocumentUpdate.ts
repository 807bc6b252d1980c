/** Ids listed per `document.updated` event; a larger change sets `truncated` and the receiver reads the document. */
export const MAX_IDS_PER_EVENT = 1_000

/**
 * When the pending `document.updated` of a room fires: at once if the last one is at least
 * `debounceMs` old, else when it is — so a busy room sends at most one per window and never fewer than
 * one per window with changes.
 */
export function nextDocumentUpdateAt(lastEmittedAtMs: number | null, nowMs: number, debounceMs: number): number {
	if (lastEmittedAtMs === null) return nowMs + debounceMs
	return Math.max(nowMs, lastEmittedAtMs + debounceMs)
}

export interface DocumentUpdateData {
	fromClock: number
	toClock: number
	put: string[]
	removed: string[]
	/** More ids changed than the lists hold, or removals are unknown (old tombstones pruned): read the document. */
	truncated: boolean
}

/** The event body for the changes after `fromClock`, as the room's change log reports them. */
export function summarizeDocumentUpdate(fromClock: number, changes: { clock: number; putIds: readonly string[]; removedIds: readonly string[]; complete: boolean }): DocumentUpdateData {
	const { putIds, removedIds } = changes
	return {
		fromClock,
		toClock: changes.clock,
		put: putIds.slice(0, MAX_IDS_PER_EVENT),
		removed: removedIds.slice(0, MAX_IDS_PER_EVENT),
		truncated: !changes.complete || putIds.length > MAX_IDS_PER_EVENT || removedIds.length > MAX_IDS_PER_EVENT,
	}
}
