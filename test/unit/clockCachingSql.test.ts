import { DatabaseSync } from 'node:sqlite'
import { NodeSqliteWrapper, SQLiteSyncStorage } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { describe, expect, it } from 'vitest'
import { cacheDocumentClock } from '../../src/room/clockCachingSql'

function setup() {
	const db = new DatabaseSync(':memory:')
	const inner = new NodeSqliteWrapper(db, { tablePrefix: 'tl_' })
	let clockQueries = 0
	const counting = {
		...inner,
		config: inner.config,
		exec: (sql: string) => inner.exec(sql),
		transaction: <T>(fn: () => T) => inner.transaction(fn),
		prepare: ((sql: string) => {
			const stmt = inner.prepare(sql)
			if (sql.startsWith('SELECT documentClock')) return { ...stmt, all: (...b: never[]) => (clockQueries++, stmt.all(...b)), run: stmt.run.bind(stmt), iterate: stmt.iterate.bind(stmt) }
			return stmt
		}) as typeof inner.prepare,
	}
	const storage = new SQLiteSyncStorage<TLRecord>({ sql: cacheDocumentClock(counting) })
	return { db, storage, clockQueries: () => clockQueries }
}

const shape = (id: string, x: number) => ({ id, typeName: 'shape', x }) as unknown as TLRecord

describe('cacheDocumentClock', () => {
	it('answers the clock from memory until a write to the metadata table, and always equals SQLite', () => {
		const { db, storage, clockQueries } = setup()
		const before = clockQueries()
		for (let i = 0; i < 5; i++) expect(storage.getClock()).toBe(0)
		expect(clockQueries() - before).toBe(1)
		storage.transaction((txn) => txn.set('shape:a', shape('shape:a', 1)))
		const sqlite = (db.prepare('SELECT documentClock FROM tl_metadata').get() as { documentClock: number }).documentClock
		expect(storage.getClock()).toBe(sqlite)
		expect(sqlite).toBe(1)
	})

	it('forgets the clock when a transaction fails, so a rolled-back increment is not reported', () => {
		const { storage } = setup()
		expect(() =>
			storage.transaction((txn) => {
				txn.set('shape:a', shape('shape:a', 1))
				expect(txn.getClock()).toBe(1)
				throw new Error('boom')
			}),
		).toThrow('boom')
		expect(storage.getClock()).toBe(0)
		storage.transaction((txn) => txn.set('shape:b', shape('shape:b', 2)))
		expect(storage.getClock()).toBe(1)
	})
})
