import type { ReplicationPlan } from './planReplication'
import type { PlannedFileEvent } from '../webhooks/planFileEvents'
import type { WebhookEvent } from '../webhooks/WebhookEvent'
import { roomKeyForFile } from '../storage/keys'
import type { RoomEffect, RowChange, UserDelivery } from './types'

/**
 * The replicator's outbox in its Durable Object SQLite. A transaction's deliveries and effects are
 * written here, with the commit LSN, before that LSN is acknowledged to Postgres: after any restart
 * the slot resends only what is not here yet, and what is here is retried until delivered.
 * MIGRATIONS is append-only.
 */
const MIGRATIONS: readonly string[] = [
	`CREATE TABLE rp_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	 CREATE TABLE rp_users (user_id TEXT PRIMARY KEY, next_seq INTEGER NOT NULL, registered_at INTEGER NOT NULL);
	 CREATE TABLE rp_subs (user_id TEXT NOT NULL, file_id TEXT NOT NULL, PRIMARY KEY (user_id, file_id));
	 CREATE TABLE rp_deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, seq INTEGER NOT NULL, commit_lsn TEXT NOT NULL, changes TEXT NOT NULL);
	 CREATE INDEX rp_deliveries_user ON rp_deliveries (user_id, seq);
	 CREATE TABLE rp_effects (id INTEGER PRIMARY KEY AUTOINCREMENT, file_id TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);`,
	`CREATE TABLE rp_webhooks (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
	 CREATE TABLE rp_webhook_seq (room_key TEXT PRIMARY KEY, seq INTEGER NOT NULL);`,
]

type MetaKey = 'streamId' | 'lastCommitLsn' | 'lastEventAt' | 'streamStarts'

export class ReplicatorStore {
	constructor(
		private readonly sql: SqlStorage,
		private readonly transactionSync: <T>(fn: () => T) => T,
	) {
		this.sql.exec('CREATE TABLE IF NOT EXISTS rp_schema (version INTEGER NOT NULL)')
		const current = this.sql.exec<{ version: number }>('SELECT version FROM rp_schema').toArray()[0]?.version ?? 0
		for (let v = current; v < MIGRATIONS.length; v++) this.sql.exec(MIGRATIONS[v]!)
		this.sql.exec('DELETE FROM rp_schema')
		this.sql.exec('INSERT INTO rp_schema (version) VALUES (?)', MIGRATIONS.length)
	}

	getMeta(key: MetaKey): string | null {
		return this.sql.exec<{ value: string }>('SELECT value FROM rp_meta WHERE key = ?', key).toArray()[0]?.value ?? null
	}

	setMeta(key: MetaKey, value: string) {
		this.sql.exec('INSERT INTO rp_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value)
	}

	subscriptions(): Map<string, Set<string>> {
		const subs = new Map<string, Set<string>>()
		for (const { user_id } of this.sql.exec<{ user_id: string }>('SELECT user_id FROM rp_users')) subs.set(user_id, new Set())
		for (const { user_id, file_id } of this.sql.exec<{ user_id: string; file_id: string }>('SELECT user_id, file_id FROM rp_subs')) {
			subs.get(user_id)?.add(file_id)
		}
		return subs
	}

	/** A user DO (re)connects: it reloads from Postgres, so undelivered changes for it are dropped. */
	registerUser(userId: string, fileIds: readonly string[], nowMs: number): { nextSeq: number } {
		return this.transactionSync(() => {
			const row = this.sql.exec<{ next_seq: number }>('SELECT next_seq FROM rp_users WHERE user_id = ?', userId).toArray()[0]
			const nextSeq = row?.next_seq ?? 1
			this.sql.exec(
				'INSERT INTO rp_users (user_id, next_seq, registered_at) VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET registered_at = excluded.registered_at',
				userId,
				nextSeq,
				nowMs,
			)
			this.sql.exec('DELETE FROM rp_deliveries WHERE user_id = ?', userId)
			this.sql.exec('DELETE FROM rp_subs WHERE user_id = ?', userId)
			for (const fileId of fileIds) this.sql.exec('INSERT OR IGNORE INTO rp_subs (user_id, file_id) VALUES (?, ?)', userId, fileId)
			return { nextSeq }
		})
	}

	unregisterUser(userId: string) {
		this.transactionSync(() => {
			this.sql.exec('DELETE FROM rp_users WHERE user_id = ?', userId)
			this.sql.exec('DELETE FROM rp_subs WHERE user_id = ?', userId)
			this.sql.exec('DELETE FROM rp_deliveries WHERE user_id = ?', userId)
		})
	}

	registeredUsers(): string[] {
		return this.sql.exec<{ user_id: string }>('SELECT user_id FROM rp_users').toArray().map((r) => r.user_id)
	}

	/** Stores one planned transaction atomically, with its commit LSN as the new high-water mark. */
	recordTransaction(commitLsn: string, plan: ReplicationPlan, fileEvents: readonly PlannedFileEvent[] = [], nowMs = Date.now()) {
		this.transactionSync(() => {
			for (const planned of fileEvents) this.appendWebhook(planned, nowMs)
			for (const [userId, changes] of plan.deliveries) {
				const seq = this.sql.exec<{ next_seq: number }>('SELECT next_seq FROM rp_users WHERE user_id = ?', userId).toArray()[0]?.next_seq
				if (seq === undefined) continue
				this.sql.exec('INSERT INTO rp_deliveries (user_id, seq, commit_lsn, changes) VALUES (?, ?, ?, ?)', userId, seq, commitLsn, JSON.stringify(changes))
				this.sql.exec('UPDATE rp_users SET next_seq = ? WHERE user_id = ?', seq + 1, userId)
			}
			for (const effect of plan.effects) this.sql.exec('INSERT INTO rp_effects (file_id, payload) VALUES (?, ?)', effect.fileId, JSON.stringify(effect))
			for (const { userId, fileId } of plan.subscribe) this.sql.exec('INSERT OR IGNORE INTO rp_subs (user_id, file_id) VALUES (?, ?)', userId, fileId)
			for (const { userId, fileId } of plan.unsubscribe) this.sql.exec('DELETE FROM rp_subs WHERE user_id = ? AND file_id = ?', userId, fileId)
			this.setMeta('lastCommitLsn', commitLsn)
		})
	}

	/** The oldest undelivered deliveries of each user, in seq order. */
	pendingDeliveries(streamId: string, perUser: number): Map<string, UserDelivery[]> {
		const out = new Map<string, UserDelivery[]>()
		for (const userId of this.registeredUsers()) {
			const rows = this.sql
				.exec<{ seq: number; commit_lsn: string; changes: string }>(
					'SELECT seq, commit_lsn, changes FROM rp_deliveries WHERE user_id = ? ORDER BY seq LIMIT ?',
					userId,
					perUser,
				)
				.toArray()
			if (rows.length) out.set(userId, rows.map((r) => ({ streamId, seq: r.seq, commitLsn: r.commit_lsn, changes: JSON.parse(r.changes) as RowChange[] })))
		}
		return out
	}

	markDelivered(userId: string, upToSeq: number) {
		this.sql.exec('DELETE FROM rp_deliveries WHERE user_id = ? AND seq <= ?', userId, upToSeq)
	}

	pendingEffects(limit: number): Array<{ id: number; effect: RoomEffect; attempts: number }> {
		return this.sql
			.exec<{ id: number; payload: string; attempts: number }>('SELECT id, payload, attempts FROM rp_effects ORDER BY id LIMIT ?', limit)
			.toArray()
			.map((r) => ({ id: r.id, effect: JSON.parse(r.payload) as RoomEffect, attempts: r.attempts }))
	}

	markEffectDone(id: number) {
		this.sql.exec('DELETE FROM rp_effects WHERE id = ?', id)
	}

	markEffectFailed(id: number) {
		this.sql.exec('UPDATE rp_effects SET attempts = attempts + 1 WHERE id = ?', id)
	}

	/** A `file.*` event with the next `seq` of its room's replication source. */
	private appendWebhook(planned: PlannedFileEvent, nowMs: number) {
		const roomKey = roomKeyForFile(planned.fileId)
		const seq = (this.sql.exec<{ seq: number }>('SELECT seq FROM rp_webhook_seq WHERE room_key = ?', roomKey).toArray()[0]?.seq ?? 0) + 1
		this.sql.exec('INSERT INTO rp_webhook_seq (room_key, seq) VALUES (?, ?) ON CONFLICT(room_key) DO UPDATE SET seq = excluded.seq', roomKey, seq)
		const event: WebhookEvent = { id: planned.id, type: planned.type, timestamp: new Date(nowMs).toISOString(), roomKey, source: 'replication', seq, data: planned.data }
		this.sql.exec('INSERT INTO rp_webhooks (body) VALUES (?)', JSON.stringify(event))
	}

	pendingWebhooks(limit: number): Array<{ id: number; event: WebhookEvent }> {
		return this.sql
			.exec<{ id: number; body: string }>('SELECT id, body FROM rp_webhooks ORDER BY id LIMIT ?', limit)
			.toArray()
			.map((r) => ({ id: r.id, event: JSON.parse(r.body) as WebhookEvent }))
	}

	markWebhooksSent(upToId: number) {
		this.sql.exec('DELETE FROM rp_webhooks WHERE id <= ?', upToId)
	}

	outboxDepth(): { deliveries: number; effects: number; webhooks: number } {
		const w = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM rp_webhooks').toArray()[0]?.n ?? 0
		const d = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM rp_deliveries').toArray()[0]?.n ?? 0
		const e = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM rp_effects').toArray()[0]?.n ?? 0
		return { deliveries: d, effects: e, webhooks: w }
	}
}
