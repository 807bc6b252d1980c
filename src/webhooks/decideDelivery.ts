/** What one delivery attempt means for its queue message. */
export type DeliveryOutcome = 'delivered' | 'dead' | 'retry'

/**
 * A 2xx ends delivery; a 4xx other than 408 (timeout) and 429 (rate limited) will never succeed, so the
 * message goes to the dead-letter queue at once; anything else (other statuses, network errors, timeouts)
 * is retried with backoff until the queue's max_retries moves it to the dead-letter queue.
 */
export function decideDelivery(result: { status: number } | { error: string }): DeliveryOutcome {
	if ('error' in result) return 'retry'
	const { status } = result
	if (status >= 200 && status < 300) return 'delivered'
	if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'dead'
	return 'retry'
}

/** Backoff before attempt `attempts + 1`: base doubling per attempt, capped. Queues take whole seconds. */
export function webhookRetryDelaySeconds(attempts: number, baseSeconds: number, maxSeconds: number): number {
	const exponent = Math.max(0, Math.min(attempts - 1, 20))
	return Math.min(maxSeconds, Math.round(baseSeconds * 2 ** exponent))
}
