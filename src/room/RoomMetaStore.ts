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
	// History chains (README "Storage"): a version is a checkpoint or a change set; retention may rewrite a
	// version's object under a new key (`object_key`, null = `history_key`) while its public key stays.
	`ALTER TABLE sw_versions ADD COLUMN kind TEXT NOT NULL DEFAULT 'checkpoint';
	 ALTER TABLE sw_versions ADD COLUMN object_key TEXT;`,
]

export interface VersionRow {
	id: number
	/** The version's public key in `ROOM_HISTORY` (its name in the API). */
	historyKey: string
	/** Where its content is stored now (differs from historyKey once retention re-linked it). */
	objectKey: string
	kind: 'checkpoint' | 'changes'
	createdAt: number
	clock: number
	bytes: number
}

interface VersionSqlRow {
	id: number
	history_key: string
	object_key: string | null
	kind: string
	created_at: number
	clock: number
	bytes: number
	[key: string]: SqlStorageValue
}

const VERSION_COLUMNS = 'id, history_key, object_key, kind, created_at, clock, bytes'

function toVersionRow(r: VersionSqlRow): VersionRow {
	return {
		id: r.id,
		historyKey: r.history_key,
		objectKey: r.object_key ?? r.history_key,
		kind: r.kind === 'changes' ? 'changes' : 'checkpoint',
		createdAt: r.created_at,
		clock: r.clock,
		bytes: r.bytes,
	}
}

export interface ExportState {
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

	/** The room key never changes once set, so it is read from SQLite once (it is asked on every change). */
	private roomKey: RoomKey | null = null

	getRoomKey(): RoomKey | null {
		this.roomKey ??= this.get('roomKey') as RoomKey | null
		return this.roomKey
	}

	setRoomKey(roomKey: RoomKey) {
		this.set('roomKey', roomKey)
		this.roomKey = roomKey
	}

	getExportState(): ExportState {
		const clock = this.get('lastExportedClock')
		return {
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

	/** Records a new version written to R2 (its object key is its history key). */
	recordVersion(v: Omit<VersionRow, 'id' | 'objectKey'>) {
		this.sql.exec(
			"INSERT INTO sw_versions (history_key, kind, created_at, clock, bytes, hash) VALUES (?, ?, ?, ?, ?, '')",
			v.historyKey,
			v.kind,
			v.createdAt,
			v.clock,
			v.bytes,
		)
		this.markExported(v.clock)
	}

	newestVersion(): VersionRow | null {
		return this.listVersions(1)[0] ?? null
	}

	/** The versions a version is read from: the newest checkpoint at or before it, then the change sets up to it. */
	chainOf(id: number): VersionRow[] {
		return this.sql
			.exec<VersionSqlRow>(
				`SELECT ${VERSION_COLUMNS} FROM sw_versions
				 WHERE id <= ? AND id >= (SELECT coalesce(max(id), 0) FROM sw_versions WHERE id <= ? AND kind = 'checkpoint')
				 ORDER BY id`,
				id,
				id,
			)
			.toArray()
			.map(toVersionRow)
	}

	/** All versions, oldest first. */
	allVersions(): VersionRow[] {
		return this.sql.exec<VersionSqlRow>(`SELECT ${VERSION_COLUMNS} FROM sw_versions ORDER BY id`).toArray().map(toVersionRow)
	}

	/** Retention's commit point: drops versions and points re-linked ones at their new objects, in one write. */
	applyRetention(dropIds: readonly number[], relinked: ReadonlyArray<Pick<VersionRow, 'id' | 'kind' | 'objectKey' | 'bytes'>>, nowMs: number) {
		for (const id of dropIds) this.sql.exec('DELETE FROM sw_versions WHERE id = ?', id)
		for (const r of relinked) this.sql.exec('UPDATE sw_versions SET kind = ?, object_key = ?, bytes = ? WHERE id = ?', r.kind, r.objectKey, r.bytes, r.id)
		this.set('lastRetentionAt', String(nowMs))
	}

	/** The schema (JSON text) of the newest version, so a change set carries the schema only when it changed. */
	getExportedSchema(): string | null {
		return this.get('exportedSchema')
	}

	setExportedSchema(schemaJson: string) {
		this.set('exportedSchema', schemaJson)
	}

	lastRetentionAt(): number {
		return Number(this.get('lastRetentionAt') ?? 0)
	}

	/** Newest first; `beforeId` pages backwards. */
	listVersions(limit: number, beforeId?: number): VersionRow[] {
		return this.sql
			.exec<VersionSqlRow>(
				`SELECT ${VERSION_COLUMNS} FROM sw_versions WHERE id < ? ORDER BY id DESC LIMIT ?`,
				beforeId ?? Number.MAX_SAFE_INTEGER,
				limit,
			)
			.toArray()
			.map(toVersionRow)
	}

	getVersionByKey(historyKey: string): VersionRow | null {
		const row = this.sql.exec<VersionSqlRow>(`SELECT ${VERSION_COLUMNS} FROM sw_versions WHERE history_key = ?`, historyKey).toArray()[0]
		return row ? toVersionRow(row) : null
	}
}
