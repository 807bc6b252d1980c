import type { AssetQueueMessage } from '../../src/assets/AssetQueueMessage'

/** The producer side of ASSET_QUEUE: keeps what was sent; `failNext` makes the next send throw. */
export class FakeAssetQueue {
	readonly sent: AssetQueueMessage[] = []
	failNext = false

	async send(message: AssetQueueMessage): Promise<QueueSendResponse> {
		if (this.failNext) {
			this.failNext = false
			throw new Error('queue unavailable')
		}
		this.sent.push(structuredClone(message))
		return { metadata: { metrics: { backlogCount: this.sent.length, backlogBytes: 0 } } }
	}
}

type Outcome = { kind: 'pending' } | { kind: 'ack' } | { kind: 'retry'; delaySeconds: number | undefined }

/** A MessageBatch whose messages remember whether they were acked or retried (first call wins, as in Queues). */
export class FakeMessageBatch implements MessageBatch<unknown> {
	readonly messages: Array<Message<unknown> & { outcome: Outcome }>
	readonly queue = 'sync-worker-assets'
	readonly metadata = { metrics: { backlogCount: 0, backlogBytes: 0 } }

	constructor(bodies: unknown[], attempts = 1) {
		this.messages = bodies.map((body, i) => {
			const message = {
				id: `msg-${i}`,
				timestamp: new Date(0),
				body,
				attempts,
				outcome: { kind: 'pending' } as Outcome,
				ack() {
					if (message.outcome.kind === 'pending') message.outcome = { kind: 'ack' }
				},
				retry(options?: QueueRetryOptions) {
					if (message.outcome.kind === 'pending') message.outcome = { kind: 'retry', delaySeconds: options?.delaySeconds }
				},
			}
			return message
		})
	}

	retryAll(options?: QueueRetryOptions): void {
		for (const m of this.messages) m.retry(options)
	}

	ackAll(): void {
		for (const m of this.messages) m.ack()
	}

	outcomes(): Outcome[] {
		return this.messages.map((m) => m.outcome)
	}
}
