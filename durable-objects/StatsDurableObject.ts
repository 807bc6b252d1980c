import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../src/env'
import type { RoomReport } from '../src/stats/RoomReport'
import { StatsStore, type DeadLetterRow } from '../src/stats/StatsStore'

/**
 * The singleton behind the admin view (GET /app/admin/*): rooms send it batched reports (never one per
 * push), the webhook consumers send delivery counts per batch. Holds the latest state per room, counters
 * and recent dead letters in its SQLite.
 */
export class StatsDurableObject extends DurableObject<Env> {
	private readonly store: StatsStore

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		this.store = new StatsStore(ctx.storage.sql)
	}

	async reportRoom(report: RoomReport): Promise<void> {
		this.store.recordRoom(report, Date.now())
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
