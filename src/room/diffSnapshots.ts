import type { RoomSnapshot } from '@tldraw/sync-core'

type RecordState = RoomSnapshot['documents'][number]['state']

export interface SnapshotDiff {
	added: RecordState[]
	removed: RecordState[]
	changed: Array<{ id: string; before: RecordState; after: RecordState }>
}

/** Records added, removed and changed going from `from` to `to` (compared by value, ids sorted). */
export function diffSnapshots(from: Pick<RoomSnapshot, 'documents'>, to: Pick<RoomSnapshot, 'documents'>): SnapshotDiff {
	const before = new Map(from.documents.map((d) => [d.state.id as string, d.state]))
	const after = new Map(to.documents.map((d) => [d.state.id as string, d.state]))
	const diff: SnapshotDiff = { added: [], removed: [], changed: [] }
	for (const [id, state] of after) {
		const prev = before.get(id)
		if (!prev) diff.added.push(state)
		else if (!deepEqual(prev, state)) diff.changed.push({ id, before: prev, after: state })
	}
	for (const [id, state] of before) if (!after.has(id)) diff.removed.push(state)
	const byId = (a: { id: unknown }, b: { id: unknown }) => String(a.id).localeCompare(String(b.id))
	diff.added.sort(byId)
	diff.removed.sort(byId)
	diff.changed.sort(byId)
	return diff
}

function deepEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
	if (Array.isArray(a) !== Array.isArray(b)) return false
	const ka = Object.keys(a)
	const kb = Object.keys(b)
	if (ka.length !== kb.length) return false
	return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
