import type { RoomReport } from './RoomReport'

/** Counters kept by the stats object; the Prometheus names are in renderMetrics. */
export const COUNTERS = ['pushes', 'exportFailures', 'webhookDelivered', 'webhookRetries', 'webhookDeadLetters'] as const
export type Counter = (typeof COUNTERS)[number]

export interface RoomRow extends Omit<RoomReport, 'pushes' | 'exportFailures'> {
	reportedAt: number
}

export interface DeadLetterRow {
	eventId: string
	type: string
	roomKey: string
	url: string
	reason: string
	attempts: number
	at: number
}

/** Recent dead letters kept for the admin view. */
const MAX_DEAD_LETTERS = 200

/** The stats object's SQLite: latest state per room, counters, recent dead letters. */
export class StatsStore {
	constructor(private readonly sql: SqlStorage) {
		sql.exec(`CREATE TABLE IF NOT EXISTS st_rooms (room_key TEXT PRIMARY KEY, state TEXT NOT NULL, last_activity_at INTEGER NOT NULL, sessions INTEGER NOT NULL);
			CREATE INDEX IF NOT EXISTS st_rooms_activity ON st_rooms (last_activity_at);
			CREATE TABLE IF NOT EXISTS st_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
			CREATE TABLE IF NOT EXISTS st_gauges (name TEXT PRIMARY KEY, value REAL NOT NULL);
			CREATE TABLE IF NOT EXISTS st_dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, row TEXT NOT NULL);`)
	}

	recordRoom(report: RoomReport, nowMs: number) {
		const { pushes, exportFailures, ...state } = report
		const row: RoomRow = { ...state, reportedAt: nowMs }
		this.sql.exec(
			'INSERT INTO st_rooms (room_key, state, last_activity_at, sessions) VALUES (?, ?, ?, ?) ON CONFLICT(room_key) DO UPDATE SET state = excluded.state, last_activity_at = excluded.last_activity_at, sessions = excluded.sessions',
			report.roomKey,
			JSON.stringify(row),
			report.lastActivityAt,
			report.sessions,
		)
		this.add('pushes', pushes)
		this.add('exportFailures', exportFailures)
	}

	/** Drops rooms with no session and no activity since `beforeMs`, so the table stays the size of recent use. */
	pruneIdleRooms(beforeMs: number) {
		this.sql.exec('DELETE FROM st_rooms WHERE sessions = 0 AND last_activity_at < ?', beforeMs)
	}

	forgetRoom(roomKey: string) {
		this.sql.exec('DELETE FROM st_rooms WHERE room_key = ?', roomKey)
	}

	/** Rooms with a session, or with activity since `sinceMs`; most recently active first. */
	activeRooms(sinceMs: number): RoomRow[] {
		return this.sql
			.exec<{ state: string }>('SELECT state FROM st_rooms WHERE last_activity_at >= ? OR sessions > 0 ORDER BY last_activity_at DESC LIMIT 1000', sinceMs)
			.toArray()
			.map((r) => JSON.parse(r.state) as RoomRow)
	}

	room(roomKey: string): RoomRow | null {
		const r = this.sql.exec<{ state: string }>('SELECT state FROM st_rooms WHERE room_key = ?', roomKey).toArray()[0]
		return r ? (JSON.parse(r.state) as RoomRow) : null
	}

	add(name: Counter, by: number) {
		if (by === 0) return
		this.sql.exec('INSERT INTO st_counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value', name, by)
	}

	counters(): Record<Counter, number> {
		const out = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>
		for (const r of this.sql.exec<{ name: string; value: number }>('SELECT name, value FROM st_counters')) {
			if ((COUNTERS as readonly string[]).includes(r.name)) out[r.name as Counter] = r.value
		}
		return out
	}

	setGauge(name: 'webhookQueueBacklog', value: number) {
		this.sql.exec('INSERT INTO st_gauges (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value', name, value)
	}

	gauge(name: 'webhookQueueBacklog'): number {
		return this.sql.exec<{ value: number }>('SELECT value FROM st_gauges WHERE name = ?', name).toArray()[0]?.value ?? 0
	}

	recordDeadLetters(rows: readonly DeadLetterRow[]) {
		for (const row of rows) this.sql.exec('INSERT INTO st_dead_letters (row) VALUES (?)', JSON.stringify(row))
		this.add('webhookDeadLetters', rows.length)
		this.sql.exec('DELETE FROM st_dead_letters WHERE id <= (SELECT MAX(id) FROM st_dead_letters) - ?', MAX_DEAD_LETTERS)
	}

	deadLetters(limit: number): DeadLetterRow[] {
		return this.sql
			.exec<{ row: string }>('SELECT row FROM st_dead_letters ORDER BY id DESC LIMIT ?', limit)
			.toArray()
			.map((r) => JSON.parse(r.row) as DeadLetterRow)
	}
}
