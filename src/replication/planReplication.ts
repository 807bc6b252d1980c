import type { JsonRow, ReplicatedTransaction, RoomEffect, RowChange } from './types'

/** Which files each connected user follows beyond their own (shared files they opened). */
export type Subscriptions = ReadonlyMap<string, ReadonlySet<string>>

export interface ReplicationPlan {
	/** Changes per connected user, in commit order. */
	deliveries: Map<string, RowChange[]>
	/** File rooms to tell about a changed row. */
	effects: RoomEffect[]
	subscribe: Array<{ userId: string; fileId: string }>
	unsubscribe: Array<{ userId: string; fileId: string }>
}

/** Columns that matter to a live room: access, name, deletion, publication. */
const ROOM_COLUMNS = ['ownerId', 'shared', 'sharedLinkType', 'published', 'publishedSlug', 'lastPublished', 'isDeleted', 'name'] as const

const str = (v: unknown) => (typeof v === 'string' ? v : null)

/**
 * Routes one committed transaction (ARCHITECTURE.md §4): each change goes to the connected users it concerns
 * (their user row, files they own or follow, their file states, assets and mutation number), and every
 * file row change that matters to a live room becomes a room effect. Pure: table-tested.
 */
export function planReplication(tx: ReplicatedTransaction, subscriptions: Subscriptions): ReplicationPlan {
	const plan: ReplicationPlan = { deliveries: new Map(), effects: [], subscribe: [], unsubscribe: [] }
	// Subscriptions added earlier in this transaction apply to its later changes.
	const follows = (userId: string, fileId: string) =>
		subscriptions.get(userId)?.has(fileId) || plan.subscribe.some((s) => s.userId === userId && s.fileId === fileId)
	const deliver = (userId: string | null, change: RowChange) => {
		if (!userId || !subscriptions.has(userId)) return
		const list = plan.deliveries.get(userId) ?? []
		if (list[list.length - 1] !== change) list.push(change)
		plan.deliveries.set(userId, list)
	}

	for (const change of tx.changes) {
		const { row, old } = change
		switch (change.table) {
			case 'user':
				deliver(str(row.id), change)
				break
			case 'file': {
				const fileId = str(row.id)
				const owners = new Set([str(row.ownerId), str(old?.ownerId)])
				for (const userId of subscriptions.keys()) {
					if (owners.has(userId) || (fileId && follows(userId, fileId))) deliver(userId, change)
				}
				if (fileId && change.op !== 'insert' && roomColumnsChanged(old, change.op === 'delete' ? null : row)) {
					plan.effects.push({ fileId, before: old ?? (change.op === 'delete' ? row : null), after: change.op === 'delete' ? null : row })
				}
				break
			}
			case 'file_state': {
				const userId = str(row.userId)
				const fileId = str(row.fileId)
				if (userId && fileId && subscriptions.has(userId)) {
					if (change.op === 'insert' && !follows(userId, fileId)) plan.subscribe.push({ userId, fileId })
					if (change.op === 'delete') plan.unsubscribe.push({ userId, fileId })
				}
				deliver(userId, change)
				break
			}
			case 'asset':
			case 'user_mutation_number':
				deliver(str(row.userId), change)
				break
		}
	}
	return plan
}

function roomColumnsChanged(before: JsonRow | null, after: JsonRow | null): boolean {
	if (!before || !after) return true
	return ROOM_COLUMNS.some((c) => before[c] !== after[c])
}
