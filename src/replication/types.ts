/** Tables in the `sync_worker` publication. */
export const REPLICATED_TABLES = ['user', 'file', 'file_state', 'asset', 'user_mutation_number'] as const
export type ReplicatedTable = (typeof REPLICATED_TABLES)[number]

export type JsonRow = Record<string, unknown>

/** One row change of a committed transaction, rows as JSON (timestamps as ISO strings). */
export interface RowChange {
	table: ReplicatedTable
	op: 'insert' | 'update' | 'delete'
	/** The new row; for a delete, the old row (or its key, for tables without REPLICA IDENTITY FULL). */
	row: JsonRow
	/** The old row for updates of REPLICA IDENTITY FULL tables, else null. */
	old: JsonRow | null
}

export interface ReplicatedTransaction {
	/** Commit LSN as "X/Y"; compare with src/user/lsn.ts, never as strings. */
	commitLsn: string
	changes: RowChange[]
}

/** What the replicator sends a user's Durable Object: one stream, strictly consecutive `seq`. */
export interface UserDelivery {
	streamId: string
	seq: number
	commitLsn: string
	changes: RowChange[]
}

/** Sent to a file's room when its row changed (access, name, deletion, publication). */
export interface RoomEffect {
	fileId: string
	before: JsonRow | null
	after: JsonRow | null
}
