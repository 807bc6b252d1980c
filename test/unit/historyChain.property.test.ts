/**
 * Property test of history chains (issue 13): random edits, random export points (with edits landing between
 * the slices of a checkpoint), random retention runs at random later times — and every kept version must
 * rebuild exactly (records in canonical order) the document as it was at that version's clock. Runs the real
 * SQLiteSyncStorage and RoomMetaStore on node:sqlite, and RoomHistory with an in-memory R2.
 */
import { DatabaseSync } from 'node:sqlite'
import { NodeSqliteWrapper, SQLiteSyncStorage } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { afterAll, describe, expect, it } from 'vitest'
import { canonicalDocument, parseHistoryObject } from '../../src/room/historyFormat'
import { RETENTION_KEEP_ALL_MS } from '../../src/room/historyPolicy'
import { readLatestSnapshot, readVersionSnapshot } from '../../src/room/readHistory'
import { RoomHistory } from '../../src/room/RoomHistory'
import { RoomMetaStore } from '../../src/room/RoomMetaStore'
import { TL_TABLE_PREFIX } from '../../src/room/readChanges'
import { cacheDocumentClock } from '../../src/room/clockCachingSql'
import { MemorySnapshotStore } from '../fakes/MemorySnapshotStore'
import { seededRandom } from '../helpers/seededRandom'

/** Durable Object SqlStorage over node:sqlite (exec with bindings, multi-statement scripts without). */
function sqlStorage(db: DatabaseSync): SqlStorage {
	return {
		exec(query: string, ...bindings: unknown[]) {
			if (bindings.length === 0 && query.split(';').filter((s) => s.trim()).length > 1) {
				db.exec(query)
				return { toArray: () => [] }
			}
			const rows = db.prepare(query).all(...(bindings as never[]))
			return { toArray: () => rows }
		},
	} as unknown as SqlStorage
}

const rng = seededRandom

const HOUR = 60 * 60 * 1000
const ROOM = 'room:prop' as const

function setup(seed: number, opts: { legacyStart?: boolean } = {}) {
	const random = rng(seed)
	const int = (n: number) => Math.floor(random() * n)
	const db = new DatabaseSync(':memory:')
	// The room's own wrapper (document clock answered from memory), so the property covers it too.
	const sql = cacheDocumentClock(new NodeSqliteWrapper(db, { tablePrefix: TL_TABLE_PREFIX }))
	const storage = new SQLiteSyncStorage<TLRecord>({ sql })
	const meta = new RoomMetaStore(sqlStorage(db))
	meta.setRoomKey(ROOM)
	const store = new MemorySnapshotStore()
	let now = Date.UTC(2026, 0, 1)
	/** The document at every clock it passed through. */
	const documents = new Map<number, string>([[storage.getClock(), canonicalDocument(storage.getSnapshot())]])
	let alarm: number | null = null
	const stats = { editsDuringCheckpoint: 0 }

	function edit() {
		storage.transaction((txn) => {
			for (let i = 1 + int(4); i > 0; i--) {
				const id = `shape:s${int(40)}`
				if (random() < 0.25) txn.delete(id)
				else txn.set(id, { id, typeName: 'shape', x: int(1000), y: int(1000), props: { label: 'é'.repeat(int(3)) } } as never)
			}
		})
		documents.set(storage.getClock(), canonicalDocument(storage.getSnapshot()))
	}

	const history = new RoomHistory({
		alarms: { getAlarm: async () => alarm, setAlarm: async (t) => void (alarm = t) },
		meta,
		snapshots: store,
		sql,
		persistIntervalMs: 8000,
		report: (err) => {
			throw err
		},
		sliceRecords: 7,
		now: () => now,
		// Other messages run between the slices of a checkpoint: edit the document there too.
		yieldToEvents: async () => {
			if (random() < 0.3) {
				edit()
				stats.editsDuringCheckpoint++
			}
		},
	})
	// A body of records that rarely change, so change sets are small next to checkpoints and chains grow long.
	storage.transaction((txn) => {
		for (let i = 0; i < 150; i++) txn.set(`shape:base${i}`, { id: `shape:base${i}`, typeName: 'shape', x: i, props: { text: 'x'.repeat(40) } } as never)
	})
	documents.set(storage.getClock(), canonicalDocument(storage.getSnapshot()))

	if (opts.legacyStart) {
		// Versions as the code before chains wrote them: a whole snapshot per version, no chain manifest.
		for (let v = 0; v < 3; v++) {
			edit()
			const historyKey = `room/prop/${new Date(now).toISOString()}`
			void store.putVersion(historyKey, JSON.stringify(storage.getSnapshot()))
			store.latest.set(ROOM, JSON.stringify(storage.getSnapshot()))
			meta.recordVersion({ historyKey, kind: 'checkpoint', createdAt: now, clock: storage.getClock(), bytes: 1000 })
			now += 60_000
		}
	}

	return {
		random,
		int,
		storage,
		meta,
		store,
		history,
		documents,
		edit,
		stats,
		advance: (ms: number) => void (now += ms),
		now: () => now,
	}
}

async function checkEveryKeptVersion(t: ReturnType<typeof setup>) {
	const rows = t.meta.allVersions()
	for (const row of rows) {
		const snapshot = await readVersionSnapshot(t.store, async () => t.history.versionChain(row.historyKey))
		expect(snapshot, `version ${row.historyKey}`).not.toBeNull()
		expect(canonicalDocument(snapshot!), `version ${row.historyKey} at clock ${row.clock}`).toBe(t.documents.get(row.clock))
	}
	const latest = await readLatestSnapshot(t.store, ROOM)
	if (rows.length === 0) expect(latest).toBeNull()
	else expect(canonicalDocument(latest!)).toBe(t.documents.get(rows.at(-1)!.clock))
	// Nothing in R2 that the index does not name (retention deleted what it replaced).
	expect([...t.store.history.keys()].sort()).toEqual(rows.map((r) => r.objectKey).sort())
	return rows
}

describe('history chain (property)', () => {
	const totals = { versions: 0, changeSets: 0, relinked: 0, editsDuringCheckpoint: 0, retentionRuns: 0 }
	afterAll(() => {
		// The runs must have exercised every path, or the property says little.
		expect(totals.changeSets).toBeGreaterThan(100)
		expect(totals.relinked).toBeGreaterThan(10)
		expect(totals.editsDuringCheckpoint).toBeGreaterThan(10)
		expect(totals.retentionRuns).toBeGreaterThan(10)
	})
	const seeds = Array.from({ length: 25 }, (_, i) => 1000 + i * 7919)
	it.each(seeds)('seed %i: every kept version rebuilds the document at its clock', async (seed) => {
		const t = setup(seed, { legacyStart: seed % 5 === 0 })
		let retentionRuns = 0
		for (let step = 0; step < 400; step++) {
			const roll = t.random()
			if (roll < 0.6) t.edit()
			else if (roll < 0.85) {
				const key = await t.history.exportNow()
				if (key) {
					totals.versions++
					if (t.meta.getVersionByKey(key)!.kind === 'changes') totals.changeSets++
				}
				t.advance(t.int(3) === 0 ? t.int(48) * HOUR : t.int(600_000))
			} else if (roll < 0.9) {
				t.advance(t.int(30) * 24 * HOUR)
				retentionRuns += (await t.history.retainIfDue(true)) > 0 ? 1 : 0
				const rows = await checkEveryKeptVersion(t)
				totals.relinked += rows.filter((r) => r.objectKey !== r.historyKey).length
			}
		}
		totals.retentionRuns += retentionRuns
		totals.editsDuringCheckpoint += t.stats.editsDuringCheckpoint
		await t.history.exportNow()
		t.advance(400 * 24 * HOUR)
		await t.history.retainIfDue(true)
		const rows = await checkEveryKeptVersion(t)
		// Retention thinned a year-old history down to its newest version per day, never losing a kept one.
		expect(rows.length).toBeGreaterThan(0)
		expect(retentionRuns + rows.length).toBeGreaterThan(1)
	})

	it('writes change sets between checkpoints, and a change set costs the changed records only', async () => {
		const t = setup(42)
		for (let i = 0; i < 200; i++) t.storage.transaction((txn) => txn.set(`shape:bulk${i}` as never, { id: `shape:bulk${i}`, typeName: 'shape', x: i } as never))
		await t.history.exportNow()
		t.storage.transaction((txn) => txn.set('shape:bulk7' as never, { id: 'shape:bulk7', typeName: 'shape', x: -1 } as never))
		t.advance(8000)
		const key = await t.history.exportNow()
		const kinds = t.meta.allVersions().map((r) => r.kind)
		expect(kinds).toEqual(['checkpoint', 'changes'])
		const changes = parseHistoryObject(t.store.history.get(key!)!)
		expect(changes).toMatchObject({ kind: 'changes', puts: [{ state: { id: 'shape:bulk7', x: -1 } }], removes: [] })
		// Nothing changed since: nothing is written.
		t.advance(8000)
		expect(await t.history.exportNow()).toBeNull()
		expect(t.meta.allVersions()).toHaveLength(2)
	})

	it('keeps every version of the last day through retention, and re-links the chain around dropped ones', async () => {
		const t = setup(7)
		for (let i = 0; i < 30; i++) {
			t.edit()
			await t.history.exportNow()
			t.advance(10 * 60_000)
		}
		t.advance(RETENTION_KEEP_ALL_MS)
		for (let i = 0; i < 5; i++) {
			t.edit()
			await t.history.exportNow()
			t.advance(60_000)
		}
		const before = t.meta.allVersions().length
		const dropped = await t.history.retainIfDue(true)
		expect(dropped).toBeGreaterThan(0)
		const rows = await checkEveryKeptVersion(t)
		expect(rows.length).toBe(before - dropped)
		expect(rows.slice(-5).every((r) => r.createdAt > t.now() - RETENTION_KEEP_ALL_MS)).toBe(true)
	})
})
