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
 * (their user row, files they own, files they follow while those are shared with them — and a delete
 * when they stop being — their file states, assets and mutation number), and every
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
				const ownerId = str(row.ownerId)
				const formerOwner = str(old?.ownerId)
				const forFollowers = fileChangeForGuest(change, false)
				for (const userId of subscriptions.keys()) {
					if (userId === ownerId) deliver(userId, change)
					else if (userId === formerOwner) {
						const forFormerOwner = fileChangeForGuest(change, true)
						if (forFormerOwner) deliver(userId, forFormerOwner)
					} else if (fileId && follows(userId, fileId) && forFollowers) deliver(userId, forFollowers)
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

/** What anyone but the owner may see of a file: only a shared, live file opens for them (decideRoomAccess). */
function guestCanOpen(row: JsonRow): boolean {
	return row.shared === true && row.isDeleted !== true
}

/**
 * A file row change as a non-owner who follows the file receives it: the row while they may open the file,
 * a delete (the key only) when they just lost it, nothing while they cannot open it. `wasOwner`: the
 * change took the file away from them.
 */
export function fileChangeForGuest(change: RowChange, wasOwner: boolean): RowChange | null {
	const id = change.row.id
	const removal: RowChange = { table: 'file', op: 'delete', row: { id }, old: null }
	if (change.op === 'delete') return removal
	if (guestCanOpen(change.row)) return change
	// Without the old row (no REPLICA IDENTITY FULL) assume they could see it: a spare delete is harmless.
	const couldOpen = wasOwner || change.old === null || guestCanOpen(change.old)
	return change.op === 'update' && couldOpen ? removal : null
}

function roomColumnsChanged(before: JsonRow | null, after: JsonRow | null): boolean {
	if (!before || !after) return true
	return ROOM_COLUMNS.some((c) => before[c] !== after[c])
}
