import type { JsonRow, ReplicatedTransaction } from '../replication/types'
import type { WebhookEventType } from './WebhookEvent'

export interface PlannedFileEvent {
	/** Deterministic (commit LSN and position in the transaction): a replayed change keeps its id. */
	id: string
	fileId: string
	type: Extract<WebhookEventType, `file.${string}`>
	data: { fileId: string; ownerId: string | null; file: JsonRow; changed: string[] }
}

/** Columns a receiver sees in `data.file` (thumbnails and create sources stay private). */
const PUBLIC_COLUMNS = ['id', 'ownerId', 'name', 'shared', 'sharedLinkType', 'published', 'publishedSlug', 'lastPublished', 'isDeleted', 'createdAt', 'updatedAt'] as const

/**
 * The `file.*` webhook events of one committed transaction, from the replication stream, so changes made
 * by the API, the user socket or plain SQL all produce them. Pure: table-tested.
 */
export function planFileEvents(tx: ReplicatedTransaction): PlannedFileEvent[] {
	const events: PlannedFileEvent[] = []
	tx.changes.forEach((change, index) => {
		if (change.table !== 'file') return
		const row = change.row
		const fileId = typeof row.id === 'string' ? row.id : null
		if (!fileId) return
		const changed = change.op === 'update' && change.old ? PUBLIC_COLUMNS.filter((c) => c !== 'updatedAt' && !same(change.old![c], row[c])) : []
		const type = fileEventType(change.op, change.old, row, changed)
		if (!type) return
		events.push({
			id: `evt_${tx.commitLsn.replace('/', '-')}_${index}`,
			fileId,
			type,
			data: { fileId, ownerId: typeof row.ownerId === 'string' ? row.ownerId : null, file: pick(row), changed },
		})
	})
	return events
}

function fileEventType(op: 'insert' | 'update' | 'delete', old: JsonRow | null, row: JsonRow, changed: readonly string[]): PlannedFileEvent['type'] | null {
	if (op === 'insert') return 'file.created'
	if (op === 'delete') return 'file.deleted'
	if (!old) return 'file.updated' // no old image: something changed, we cannot say what
	if (changed.length === 0) return null
	if (changed.includes('isDeleted')) return row.isDeleted ? 'file.deleted' : 'file.updated'
	if (changed.includes('published') || (row.published && changed.includes('lastPublished'))) return row.published ? 'file.published' : 'file.unpublished'
	return 'file.updated'
}

function pick(row: JsonRow): JsonRow {
	return Object.fromEntries(PUBLIC_COLUMNS.filter((c) => c in row).map((c) => [c, row[c]]))
}

function same(a: unknown, b: unknown): boolean {
	return a === b || JSON.stringify(a) === JSON.stringify(b)
}
