import type { Pgoutput } from 'pg-logical-replication'
import { REPLICATED_TABLES, type JsonRow, type ReplicatedTable, type ReplicatedTransaction, type RowChange } from './types'

const TABLES = new Set<string>(REPLICATED_TABLES)

/** Dates become ISO strings and bigints strings, so rows survive JSON (SQLite outbox, RPC, sockets). */
export function toJsonRow(row: Record<string, unknown> | null): JsonRow | null {
	if (!row) return null
	const out: JsonRow = {}
	for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v
	return out
}

/**
 * Turns the pgoutput message stream into whole committed transactions: changes between `begin` and
 * `commit`, for the published tables only. Pure state machine, fed one message at a time.
 */
export class TransactionAssembler {
	private changes: RowChange[] | null = null

	push(msg: Pgoutput.Message): ReplicatedTransaction | null {
		switch (msg.tag) {
			case 'begin':
				this.changes = []
				return null
			case 'insert':
			case 'update':
			case 'delete': {
				if (!this.changes || msg.relation.schema !== 'public' || !TABLES.has(msg.relation.name)) return null
				const table = msg.relation.name as ReplicatedTable
				if (msg.tag === 'insert') this.changes.push({ table, op: 'insert', row: toJsonRow(msg.new)!, old: null })
				else if (msg.tag === 'update') this.changes.push({ table, op: 'update', row: toJsonRow(msg.new)!, old: toJsonRow(msg.old) })
				else this.changes.push({ table, op: 'delete', row: toJsonRow(msg.old ?? msg.key)!, old: null })
				return null
			}
			case 'commit': {
				const changes = this.changes ?? []
				this.changes = null
				if (!msg.commitLsn) return null
				return { commitLsn: msg.commitLsn, changes }
			}
			default:
				// relation, type, origin, truncate, message: nothing to fan out.
				return null
		}
	}
}
