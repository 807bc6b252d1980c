import type { TLSqliteInputValue, TLSqliteRow, TLSyncSqliteStatement, TLSyncSqliteWrapper } from '@tldraw/sync-core'

const CLOCK_QUERY = /^SELECT documentClock FROM \w*metadata LIMIT 1$/
const METADATA_WRITE = /^\s*(UPDATE|INSERT|DELETE|REPLACE)\b[^;]*metadata/i

/**
 * SQLiteSyncStorage asks SQLite for the document clock five times per push (`getClock`: 43 % of a room's
 * self time in bench/REPORT.md's profile). This wrapper answers that query from memory and forgets the answer
 * whenever a statement writes the metadata table, a script runs, or a transaction fails (its writes rolled
 * back), so it always equals what SQLite would return. Everything else passes through unchanged.
 */
export function cacheDocumentClock(inner: TLSyncSqliteWrapper): TLSyncSqliteWrapper {
	let cached: TLSqliteRow[] | null = null
	const forget = () => {
		cached = null
	}
	return {
		config: inner.config,
		exec(sql) {
			forget()
			inner.exec(sql)
		},
		transaction(callback) {
			try {
				return inner.transaction(callback)
			} catch (err) {
				forget()
				throw err
			}
		},
		prepare: (<TResult extends TLSqliteRow | void, TParams extends TLSqliteInputValue[] = []>(sql: string) => {
			const stmt = inner.prepare<TResult, TParams>(sql)
			if (CLOCK_QUERY.test(sql.trim())) {
				const all = (...b: TParams) => (cached ??= stmt.all(...b) as TLSqliteRow[]) as TResult[]
				return { all, run: (...b: TParams) => stmt.run(...b), iterate: (...b: TParams) => all(...b)[Symbol.iterator]() }
			}
			if (!METADATA_WRITE.test(sql)) return stmt
			const writes: TLSyncSqliteStatement<TResult, TParams> = {
				all: (...b) => (forget(), stmt.all(...b)),
				run: (...b) => (forget(), stmt.run(...b)),
				iterate: (...b) => (forget(), stmt.iterate(...b)),
			}
			return writes
		}) as TLSyncSqliteWrapper['prepare'],
	}
}
