import type { RoomKey } from '../storage/keys'

/**
 * The room's own tables in its Durable Object SQLite, beside tldraw's (prefixed `tl_`).
 * MIGRATIONS is append-only: never edit an entry that has shipped.
 */
const MIGRATIONS: readonly string[] = [
	`CREATE TABLE sw_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	 CREATE TABLE sw_versions (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		history_key TEXT NOT NULL UNIQUE,
		created_at INTEGER NOT NULL,
		clock INTEGER NOT NULL,
		bytes INTEGER NOT NULL,
		hash TEXT NOT NULL
	 );`,
]

export interface VersionRow {
	id: number
	historyKey: string
	createdAt: number
	clock: number
	bytes: number
	hash: string
}

interface VersionSqlRow {
	id: number
	history_key: string
	created_at: number
	clock: number
	bytes: number
	hash: string
	[key: string]: SqlStorageValue
}

function toVersionRow(r: VersionSqlRow): VersionRow {
	return { id: r.id, historyKey: r.history_key, createdAt: r.created_at, clock: r.clock, bytes: r.bytes, hash: r.hash }
}

export interface ExportState {
	lastHash: string | null
	lastExportedClock: number | null
	failures: number
}

export class RoomMetaStore {
	constructor(private readonly sql: SqlStorage) {
		this.migrate()
	}

	private migrate() {
		this.sql.exec('CREATE TABLE IF NOT EXISTS sw_schema (version INTEGER NOT NULL)')
		const row = this.sql.exec<{ version: number }>('SELECT version FROM sw_schema').toArray()[0]
		const current = row?.version ?? 0
		for (let v = current; v < MIGRATIONS.length; v++) this.sql.exec(MIGRATIONS[v]!)
		if (!row) this.sql.exec('INSERT INTO sw_schema (version) VALUES (?)', MIGRATIONS.length)
		else if (current !== MIGRATIONS.length) this.sql.exec('UPDATE sw_schema SET version = ?', MIGRATIONS.length)
	}

	private get(key: string): string | null {
		return this.sql.exec<{ value: string }>('SELECT value FROM sw_meta WHERE key = ?', key).toArray()[0]?.value ?? null
	}

	private set(key: string, value: string) {
		this.sql.exec('INSERT INTO sw_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value)
	}

	getRoomKey(): RoomKey | null {
		return this.get('roomKey') as RoomKey | null
	}

	setRoomKey(roomKey: RoomKey) {
		this.set('roomKey', roomKey)
	}

	getExportState(): ExportState {
		const clock = this.get('lastExportedClock')
		return {
			lastHash: this.get('lastHash'),
			lastExportedClock: clock === null ? null : Number(clock),
			failures: Number(this.get('exportFailures') ?? 0),
		}
	}

	setExportFailures(failures: number) {
		this.set('exportFailures', String(failures))
	}

	/** Marks a clock as exported without a new version (content unchanged). */
	markExported(clock: number) {
		this.set('lastExportedClock', String(clock))
		this.set('exportFailures', '0')
	}

	recordVersion(v: Omit<VersionRow, 'id'>) {
		this.sql.exec(
			'INSERT INTO sw_versions (history_key, created_at, clock, bytes, hash) VALUES (?, ?, ?, ?, ?)',
			v.historyKey,
			v.createdAt,
			v.clock,
			v.bytes,
			v.hash,
		)
		this.set('lastHash', v.hash)
		this.markExported(v.clock)
	}

	/** Newest first; `beforeId` pages backwards. */
	listVersions(limit: number, beforeId?: number): VersionRow[] {
		return this.sql
			.exec<VersionSqlRow>(
				'SELECT id, history_key, created_at, clock, bytes, hash FROM sw_versions WHERE id < ? ORDER BY id DESC LIMIT ?',
				beforeId ?? Number.MAX_SAFE_INTEGER,
				limit,
			)
			.toArray()
			.map(toVersionRow)
	}

	getVersionByKey(historyKey: string): VersionRow | null {
		const row = this.sql.exec<VersionSqlRow>('SELECT id, history_key, created_at, clock, bytes, hash FROM sw_versions WHERE history_key = ?', historyKey).toArray()[0]
		return row ? toVersionRow(row) : null
	}

	allVersionStamps(): Array<{ id: number; createdAt: number; historyKey: string }> {
		return this.sql
			.exec<{ id: number; created_at: number; history_key: string }>('SELECT id, created_at, history_key FROM sw_versions')
			.toArray()
			.map((r) => ({ id: r.id, createdAt: r.created_at, historyKey: r.history_key }))
	}

	deleteVersions(ids: readonly number[]) {
		for (const id of ids) this.sql.exec('DELETE FROM sw_versions WHERE id = ?', id)
	}
}
