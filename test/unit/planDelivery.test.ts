import { describe, expect, it } from 'vitest'
import type { UserDelivery } from '../../src/replication/types'
import { planDelivery, type DeliveryPlan, type StreamPosition } from '../../src/user/planDelivery'

const d = (streamId: string, seq: number): UserDelivery => ({ streamId, seq, commitLsn: `0/${seq}`, changes: [] })
const at = (streamId: string, nextSeq: number): StreamPosition => ({ streamId, nextSeq })
const forward = (next: StreamPosition | null, ...sent: UserDelivery[]): DeliveryPlan => ({ kind: 'forward', forward: sent, next })
const resync = (...sent: UserDelivery[]): DeliveryPlan => ({ kind: 'resync', forward: sent })

// prettier-ignore
const TABLE: Array<[string, StreamPosition | null, UserDelivery[], DeliveryPlan]> = [
	['the next one in order',                    at('s', 3), [d('s', 3)],                       forward(at('s', 4), d('s', 3))],
	['a consecutive batch',                      at('s', 3), [d('s', 3), d('s', 4), d('s', 5)], forward(at('s', 6), d('s', 3), d('s', 4), d('s', 5))],
	['an empty batch changes nothing',           at('s', 3), [],                                forward(at('s', 3))],
	['a retry already applied is skipped',       at('s', 5), [d('s', 3), d('s', 4)],            forward(at('s', 5))],
	['a retry overlapping new ones',             at('s', 5), [d('s', 4), d('s', 5), d('s', 6)], forward(at('s', 7), d('s', 5), d('s', 6))],
	['a gap: resync',                            at('s', 3), [d('s', 4)],                       resync()],
	['a gap after good ones: those, then resync', at('s', 3), [d('s', 3), d('s', 5)],            resync(d('s', 3))],
	['a new stream id: resync',                  at('s', 3), [d('t', 3)],                       resync()],
	['a new stream id, even with a lower seq',   at('s', 3), [d('t', 0)],                       resync()],
	['no stored position: resync',               null,       [d('s', 0)],                       resync()],
	['no stored position, nothing delivered',    null,       [],                                forward(null)],
]

describe('planDelivery', () => {
	it.each(TABLE)('%s', (_name, position, deliveries, expected) => {
		expect(planDelivery(position, deliveries)).toEqual(expected)
	})
})
