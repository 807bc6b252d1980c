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
	truncated: boolean
}

/** The event body for the changes between two clocks (`puts` and `deletes` as tldraw's storage reports them). */
export function summarizeDocumentUpdate(fromClock: number, toClock: number, diff: { puts: Record<string, unknown>; deletes: readonly string[] }): DocumentUpdateData {
	const put = Object.keys(diff.puts)
	const removed = [...diff.deletes]
	return {
		fromClock,
		toClock,
		put: put.slice(0, MAX_IDS_PER_EVENT),
		removed: removed.slice(0, MAX_IDS_PER_EVENT),
		truncated: put.length > MAX_IDS_PER_EVENT || removed.length > MAX_IDS_PER_EVENT,
	}
}
