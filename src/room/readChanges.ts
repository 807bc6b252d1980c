import type { TLSyncSqliteWrapper } from '@tldraw/sync-core'
import { byId, type RawRecord } from './historyFormat'

/**
 * Reads the room's document straight from `SQLiteSyncStorage`'s tables (prefix `tl_`, see
 * node_modules/@tldraw/sync-core/src/lib/SQLiteSyncStorage.ts): every record row carries the clock of its last
 * change, and every removal leaves a tombstone with its clock. Record states are returned as their stored JSON
 * text (`CAST(state AS TEXT)`), so nothing here parses or re-serialises a record.
 */
export const TL_TABLE_PREFIX = 'tl_'

export interface DocumentChanges {
	/** Changes after this clock … */
	sinceClock: number
	/** … up to and including this one (the document clock when read). */
	clock: number
	/** Records written after `sinceClock` (their current state), sorted by id. */
	puts: RawRecord[]
	/** Ids removed after `sinceClock` (and not written again since), sorted. May name records created after it. */
	removes: string[]
	/** False when tombstones after `sinceClock` were already pruned: removals are unknown, read the whole document. */
	complete: boolean
}

/**
 * The records put and removed since `sinceClock`, in O(changes) (both tables are indexed by clock).
 * The room's exporter writes these as a history change set; the webhook feed (`document.updated`) can use the
 * same call for the ids and the clock range of an edit.
 */
export function readChangesSince(sql: TLSyncSqliteWrapper, sinceClock: number): DocumentChanges {
	const p = TL_TABLE_PREFIX
	const meta = sql
		.prepare<{ documentClock: number; tombstoneHistoryStartsAtClock: number }>(
			`SELECT documentClock, tombstoneHistoryStartsAtClock FROM ${p}metadata LIMIT 1`,
		)
		.all()[0]
	const clock = meta?.documentClock ?? 0
	// Sorted here, not in SQL: an ORDER BY id would make SQLite walk the primary key (the whole document)
	// instead of the clock index.
	const puts = sql
		.prepare<{ id: string; state: string; lastChangedClock: number }, [number]>(
			`SELECT id, CAST(state AS TEXT) AS state, lastChangedClock FROM ${p}documents WHERE lastChangedClock > ?`,
		)
		.all(sinceClock)
		.sort((a, b) => byId(a.id, b.id))
	const removes = sql
		.prepare<{ id: string }, [number]>(`SELECT id FROM ${p}tombstones WHERE clock > ?`)
		.all(sinceClock)
		.map((r) => r.id)
		.sort(byId)
	return { sinceClock, clock, puts, removes, complete: (meta?.tombstoneHistoryStartsAtClock ?? 0) <= sinceClock }
}

/** Up to `limit` records with ids after `afterId`, in id order: a checkpoint is read in such slices. */
export function readRecordSlice(sql: TLSyncSqliteWrapper, afterId: string, limit: number): RawRecord[] {
	return sql
		.prepare<{ id: string; state: string; lastChangedClock: number }, [string, number]>(
			`SELECT id, CAST(state AS TEXT) AS state, lastChangedClock FROM ${TL_TABLE_PREFIX}documents WHERE id > ? ORDER BY id LIMIT ?`,
		)
		.all(afterId, limit)
}

export function readDocumentClock(sql: TLSyncSqliteWrapper): number {
	return sql.prepare<{ documentClock: number }>(`SELECT documentClock FROM ${TL_TABLE_PREFIX}metadata LIMIT 1`).all()[0]?.documentClock ?? 0
}

/** The document's serialized tldraw schema, as stored (JSON text). */
export function readSchemaJson(sql: TLSyncSqliteWrapper): string {
	return sql.prepare<{ schema: string }>(`SELECT schema FROM ${TL_TABLE_PREFIX}metadata LIMIT 1`).all()[0]?.schema ?? '{}'
}
