import { decideDelivery, webhookRetryDelaySeconds } from './decideDelivery'
import { signWebhook } from './signWebhook'
import { WebhookQueueMessageSchema, type WebhookQueueMessage } from './WebhookEvent'

/** A receiver that has not answered in this long counts as a failed attempt (retried). */
export const WEBHOOK_TIMEOUT_MS = 10_000

export interface DeadLetter extends WebhookQueueMessage {
	reason: string
	attempts: number
}

export interface WebhookDeliveryDeps {
	secret: string
	retryBaseSeconds: number
	retryMaxSeconds: number
	fetch: (url: string, init: RequestInit) => Promise<Response>
	nowSeconds: () => number
	/** The dead-letter queue, for messages that must not be retried (4xx other than 408/429). */
	deadLetters: { send(message: DeadLetter): Promise<unknown> }
	/** Counts for the admin metrics, one call per batch. */
	recordOutcomes: (counts: { delivered: number; retried: number; backlog: number }) => Promise<void>
	log: Pick<Console, 'warn' | 'error'>
}

/**
 * The WEBHOOK_QUEUE consumer: POSTs each event, signed per Standard Webhooks, to its receiver. A 2xx
 * acks; a permanent failure goes to the dead-letter queue at once; anything else is retried with
 * backoff, and after the consumer's max_retries the platform moves it to the dead-letter queue.
 */
export async function deliverWebhookBatch(batch: MessageBatch<unknown>, deps: WebhookDeliveryDeps): Promise<void> {
	const counts = { delivered: 0, retried: 0 }
	await Promise.all(
		batch.messages.map(async (message) => {
			const parsed = WebhookQueueMessageSchema.safeParse(message.body)
			if (!parsed.success) {
				deps.log.error(`webhook queue: dropping malformed message ${message.id}: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
				message.ack()
				return
			}
			const { url, event } = parsed.data
			const result = await post(deps, url, event.id, JSON.stringify(event))
			switch (decideDelivery(result)) {
				case 'delivered':
					counts.delivered++
					message.ack()
					return
				case 'dead': {
					const reason = 'status' in result ? `HTTP ${result.status}` : result.error
					try {
						await deps.deadLetters.send({ ...parsed.data, reason, attempts: message.attempts })
						message.ack()
					} catch (err) {
						deps.log.error('webhook queue: dead-letter send failed, retrying instead', err)
						message.retry({ delaySeconds: webhookRetryDelaySeconds(message.attempts, deps.retryBaseSeconds, deps.retryMaxSeconds) })
					}
					return
				}
				case 'retry':
					counts.retried++
					deps.log.warn(`webhook ${event.id} to ${url} failed (attempt ${message.attempts}): ${'status' in result ? `HTTP ${result.status}` : result.error}`)
					message.retry({ delaySeconds: webhookRetryDelaySeconds(message.attempts, deps.retryBaseSeconds, deps.retryMaxSeconds) })
					return
			}
		}),
	)
	await deps.recordOutcomes({ ...counts, backlog: batch.metadata?.metrics?.backlogCount ?? 0 }).catch((err) => deps.log.error('webhook queue: could not record metrics', err))
}

async function post(deps: WebhookDeliveryDeps, url: string, id: string, body: string): Promise<{ status: number } | { error: string }> {
	try {
		const headers = await signWebhook(deps.secret, id, deps.nowSeconds(), body)
		const res = await deps.fetch(url, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'User-Agent': 'sync-worker-webhooks', ...headers },
			body,
			redirect: 'manual',
			signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
		})
		await res.body?.cancel()
		return { status: res.status }
	} catch (err) {
		return { error: err instanceof Error ? err.message : String(err) }
	}
}
