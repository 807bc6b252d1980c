import { z } from 'zod'
import type { UserDelivery } from '../replication/types'

/** Where a user's replication stream stands; kept in the user object's storage so a hibernated object resumes it. */
export const StreamPositionSchema = z.object({ streamId: z.string(), nextSeq: z.number().int() })
export type StreamPosition = z.infer<typeof StreamPositionSchema>

export type DeliveryPlan =
	/** Forward these in order, then store `next`. */
	| { kind: 'forward'; forward: UserDelivery[]; next: StreamPosition | null }
	/**
	 * Forward these (the consecutive ones before the problem), then re-initialise every socket from
	 * Postgres: a gap in `seq`, another stream id, or no position at all means changes may be missing.
	 */
	| { kind: 'resync'; forward: UserDelivery[] }

/**
 * What the user object does with a batch from the replicator. Deliveries must continue the stored
 * position exactly; ones below it on the same stream are retries already applied and are skipped.
 */
export function planDelivery(position: StreamPosition | null, deliveries: readonly UserDelivery[]): DeliveryPlan {
	let next = position
	const forward: UserDelivery[] = []
	for (const delivery of deliveries) {
		if (next && delivery.streamId === next.streamId && delivery.seq < next.nextSeq) continue
		if (!next || delivery.streamId !== next.streamId || delivery.seq !== next.nextSeq) return { kind: 'resync', forward }
		next = { ...next, nextSeq: next.nextSeq + 1 }
		forward.push(delivery)
	}
	return { kind: 'forward', forward, next }
}
