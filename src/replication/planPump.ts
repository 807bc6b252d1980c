/** What the replicator does after sending a batch of deliveries to one user's object. */
export type DeliveryOutcome = 'accepted' | 'nobody-connected' | 'failed'

export type DeliveryStep = {
	/** `mark-delivered`: the outbox advances; `unregister`: stop sending to that user; `retry`: keep it for the next pump. */
	action: 'mark-delivered' | 'unregister' | 'retry'
	/** A full batch may have more behind it: pump again. */
	again: boolean
}

export function planDeliveryStep(outcome: DeliveryOutcome, batchLength: number, batchMax: number): DeliveryStep {
	switch (outcome) {
		case 'accepted':
			return { action: 'mark-delivered', again: batchLength === batchMax }
		case 'nobody-connected':
			return { action: 'unregister', again: batchLength === batchMax }
		case 'failed':
			return { action: 'retry', again: false }
	}
}

/** What happens to a room effect after an attempt: done, tried again by a later pump, or dropped (and reported). */
export type EffectStep = 'done' | 'retry' | 'give-up'

export function planEffectStep(succeeded: boolean, attemptsBefore: number, maxAttempts: number): EffectStep {
	if (succeeded) return 'done'
	return attemptsBefore + 1 >= maxAttempts ? 'give-up' : 'retry'
}
