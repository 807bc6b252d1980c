import type { PurgeState } from './nextPurgeStep'

export interface PurgeFile {
	id: string
	publishedSlug: string | null
}

/** A purge job's progress in its Durable Object's SQLite; deleted when the job finishes. */
export class PurgeStore {
	constructor(private readonly sql: SqlStorage) {
		sql.exec(`CREATE TABLE IF NOT EXISTS pj_job (key TEXT PRIMARY KEY, value TEXT NOT NULL);
			CREATE TABLE IF NOT EXISTS pj_files (id TEXT PRIMARY KEY, published_slug TEXT, done INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL);
			CREATE TABLE IF NOT EXISTS pj_assets (name TEXT PRIMARY KEY, done INTEGER NOT NULL DEFAULT 0);
			CREATE TABLE IF NOT EXISTS pj_rooms (file_id TEXT PRIMARY KEY, done INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL);`)
	}

	userId(): string | null {
		return this.get('userId')
	}

	begin(userId: string, nowMs: number) {
		if (this.userId()) return
		this.set('userId', userId)
		this.set('startedAt', String(nowMs))
	}

	state(): PurgeState | null {
		if (!this.userId()) return null
		return {
			collected: this.get('collected') === '1',
			rowsDeleted: this.get('rowsDeleted') === '1',
			pendingFiles: this.sql.exec<{ id: string }>('SELECT id FROM pj_files WHERE done = 0 ORDER BY seq').toArray().map((r) => r.id),
			pendingAssets: this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM pj_assets WHERE done = 0').one().n,
			pendingRooms: this.sql.exec<{ file_id: string }>('SELECT file_id FROM pj_rooms WHERE done = 0 ORDER BY seq').toArray().map((r) => r.file_id),
		}
	}

	progress() {
		const files = this.sql.exec<{ total: number; done: number }>('SELECT COUNT(*) AS total, COALESCE(SUM(done), 0) AS done FROM pj_files').one()
		return { filesTotal: files.total, filesDone: files.done, startedAt: Number(this.get('startedAt') ?? 0) }
	}

	/** Adds files (idempotent: a file already known keeps its progress). */
	addFiles(files: readonly PurgeFile[]) {
		let seq = this.sql.exec<{ n: number }>('SELECT COALESCE(MAX(seq), 0) AS n FROM pj_files').one().n
		for (const f of files) this.sql.exec('INSERT OR IGNORE INTO pj_files (id, published_slug, seq) VALUES (?, ?, ?)', f.id, f.publishedSlug, ++seq)
	}

	file(id: string): PurgeFile | null {
		const r = this.sql.exec<{ id: string; published_slug: string | null }>('SELECT id, published_slug FROM pj_files WHERE id = ?', id).toArray()[0]
		return r ? { id: r.id, publishedSlug: r.published_slug } : null
	}

	fileDone(id: string) {
		this.sql.exec('UPDATE pj_files SET done = 1 WHERE id = ?', id)
	}

	addAssets(names: readonly string[]) {
		for (const n of names) this.sql.exec('INSERT OR IGNORE INTO pj_assets (name) VALUES (?)', n)
	}

	allAssets(): string[] {
		return this.sql.exec<{ name: string }>('SELECT name FROM pj_assets').toArray().map((r) => r.name)
	}

	pendingAssets(limit: number): string[] {
		return this.sql.exec<{ name: string }>('SELECT name FROM pj_assets WHERE done = 0 LIMIT ?', limit).toArray().map((r) => r.name)
	}

	assetsDone(names: readonly string[]) {
		for (const n of names) this.sql.exec('UPDATE pj_assets SET done = 1 WHERE name = ?', n)
	}

	/** Rooms (by file id) where the user's sessions are to be closed; idempotent like addFiles. */
	addRooms(fileIds: readonly string[]) {
		let seq = this.sql.exec<{ n: number }>('SELECT COALESCE(MAX(seq), 0) AS n FROM pj_rooms').one().n
		for (const id of fileIds) this.sql.exec('INSERT OR IGNORE INTO pj_rooms (file_id, seq) VALUES (?, ?)', id, ++seq)
	}

	roomDone(fileId: string) {
		this.sql.exec('UPDATE pj_rooms SET done = 1 WHERE file_id = ?', fileId)
	}

	markCollected() {
		this.set('collected', '1')
	}

	markRowsDeleted() {
		this.set('rowsDeleted', '1')
	}

	private get(key: string): string | null {
		return this.sql.exec<{ value: string }>('SELECT value FROM pj_job WHERE key = ?', key).toArray()[0]?.value ?? null
	}

	private set(key: string, value: string) {
		this.sql.exec('INSERT INTO pj_job (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value)
	}
}
