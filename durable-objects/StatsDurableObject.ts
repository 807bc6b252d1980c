import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../src/env'
import type { RoomReport } from '../src/stats/RoomReport'
import { StatsStore, type DeadLetterRow } from '../src/stats/StatsStore'

/**
 * The singleton behind the admin view (GET /app/admin/*): rooms send it batched reports (never one per
 * push), the webhook consumers send delivery counts per batch. Holds the latest state per room, counters
 * and recent dead letters in its SQLite.
 */
/** Rooms idle this long (and empty) leave the stats table; pruned at most once per PRUNE_EVERY_MS. */
const FORGET_IDLE_ROOMS_AFTER_MS = 7 * 24 * 60 * 60_000
const PRUNE_EVERY_MS = 60 * 60_000

export class StatsDurableObject extends DurableObject<Env> {
	private readonly store: StatsStore
	private prunedAt = 0

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		this.store = new StatsStore(ctx.storage.sql)
	}

	async reportRoom(report: RoomReport): Promise<void> {
		const now = Date.now()
		this.store.recordRoom(report, now)
		if (now - this.prunedAt > PRUNE_EVERY_MS) {
			this.prunedAt = now
			this.store.pruneIdleRooms(now - FORGET_IDLE_ROOMS_AFTER_MS)
		}
	}

	async forgetRoom(roomKey: string): Promise<void> {
		this.store.forgetRoom(roomKey)
	}

	async recordWebhookOutcomes(counts: { delivered: number; retried: number; backlog: number }): Promise<void> {
		this.store.add('webhookDelivered', counts.delivered)
		this.store.add('webhookRetries', counts.retried)
		this.store.setGauge('webhookQueueBacklog', counts.backlog)
	}

	async recordDeadLetters(rows: DeadLetterRow[]): Promise<void> {
		this.store.recordDeadLetters(rows)
	}

	async activeRooms(sinceMs: number) {
		return this.store.activeRooms(sinceMs)
	}

	async room(roomKey: string) {
		return this.store.room(roomKey)
	}

	async snapshot(sinceMs: number) {
		return {
			activeRooms: this.store.activeRooms(sinceMs),
			counters: this.store.counters(),
			webhookQueueBacklog: this.store.gauge('webhookQueueBacklog'),
			deadLetters: this.store.deadLetters(20),
		}
	}
}
