import { getConfig } from '../config'
import type { Env } from '../env'
import { statsStub } from '../stubs'
import type { DeadLetterRow } from '../stats/StatsStore'
import { deliverWebhookBatch } from './deliverWebhookBatch'
import { WebhookQueueMessageSchema } from './WebhookEvent'
import { z } from 'zod'

/** Queue names as wrangler.toml declares them; the Worker's `queue` handler dispatches on them. */
export const WEBHOOK_QUEUE_NAME = 'sync-worker-webhooks'
export const WEBHOOK_DLQ_NAME = 'sync-worker-webhooks-dlq'

/** WEBHOOK_QUEUE: deliver each event to its receiver. */
export async function handleWebhookBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	const { webhooks } = getConfig(env)
	if (!webhooks.secret) {
		// Events were queued while webhooks were on; without a secret nothing can be signed. Keep them.
		console.error('webhook queue: WEBHOOK_SECRET is not set, retrying later')
		batch.retryAll({ delaySeconds: webhooks.retryMaxSeconds })
		return
	}
	const stats = statsStub(env)
	await deliverWebhookBatch(batch, {
		secret: webhooks.secret,
		retryBaseSeconds: webhooks.retryBaseSeconds,
		retryMaxSeconds: webhooks.retryMaxSeconds,
		fetch: (url, init) => fetch(url, init),
		nowSeconds: () => Math.floor(Date.now() / 1000),
		deadLetters: env.WEBHOOK_DLQ,
		recordOutcomes: (counts) => stats.recordWebhookOutcomes(counts),
		log: console,
	})
}

const DeadLetterSchema = WebhookQueueMessageSchema.extend({ reason: z.string().optional(), attempts: z.number().optional() })

/** WEBHOOK_DLQ: count and keep each dead letter for the admin view; nothing is retried from here. */
export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	const rows: DeadLetterRow[] = batch.messages.map((m) => {
		const parsed = DeadLetterSchema.safeParse(m.body)
		if (!parsed.success) return { eventId: m.id, type: 'unknown', roomKey: '', url: '', reason: 'malformed message', attempts: m.attempts, at: Date.now() }
		const { event, url, reason, attempts } = parsed.data
		return { eventId: event.id, type: event.type, roomKey: event.roomKey, url, reason: reason ?? 'retries exhausted', attempts: attempts ?? 0, at: Date.now() }
	})
	for (const r of rows) console.warn(`webhook dead letter: ${r.type} ${r.eventId} to ${r.url}: ${r.reason}`)
	await statsStub(env).recordDeadLetters(rows)
	batch.ackAll()
}
