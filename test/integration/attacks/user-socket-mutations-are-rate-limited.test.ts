/**
 * Issue 12 item 7. Mutations over the user socket are charged to the same per-user budget as the HTTP API
 * (API_RATE_LIMITER, keyed by user id) and at most a few run at once, so a burst is refused with
 * RATE_LIMITED instead of queueing on the object's Postgres connection until it times out. Attack: 2,000
 * createFile sent in one burst (the issue sent 2,000: ~920 were created in ~6 s and the other 1,080 rejected
 * INTERNAL after pool time-outs). 1,000 is more than two windows of the 300-a-minute budget.
 */
import { describe, expect, it } from 'vitest'
import { sendUntilRateLimited } from '../../helpers/api'
import { useSignedInWorker } from '../../helpers/signedInWorker'
import { waitFor } from '../../helpers/waitFor'

const w = useSignedInWorker()
const BURST = 1_000

describe('user-socket mutations are rate-limited', () => {
	it('refuses a burst of createFile with RATE_LIMITED, never INTERNAL, and shares the budget with the HTTP API', { timeout: 300_000 }, async () => {
		const mallory = await w.user('mallory')
		const s = await w.openUserSocket(mallory)
		const ids = Array.from({ length: BURST }, (_, i) => s.mutate('createFile', { name: `burst-${i}` }))
		const outcomes = new Map<string, { type: string; code?: string }>()
		let seen = 0
		const everyOutcome = waitFor(
			() => {
				if (s.closed) throw new Error(`socket closed: ${s.closed.code} ${s.closed.reason}`)
				for (; seen < s.messages.length; seen++) {
					const m = s.messages[seen]!
					if (m.type === 'reject') outcomes.set(m.mutationId as string, { type: 'reject', code: m.code as string })
					if (m.type === 'commit') for (const id of m.mutationIds as string[]) outcomes.set(id, { type: 'commit' })
				}
				return ids.every((id) => outcomes.has(id))
			},
			'an outcome for every mutation',
			150_000,
		)
		await everyOutcome.catch((err: Error) => {
			throw new Error(`${err.message} (${outcomes.size} of ${BURST} arrived)`)
		})
		const codes = [...outcomes.values()].map((o) => o.code ?? 'commit')
		const count = (code: string) => codes.filter((c) => c === code).length
		expect(count('INTERNAL')).toBe(0)
		expect(count('RATE_LIMITED')).toBeGreaterThan(0)
		expect(count('commit') + count('RATE_LIMITED')).toBe(BURST)
		// API_RATE_LIMITER allows 300 a minute; a burst can straddle two fixed windows.
		expect(count('commit')).toBeLessThanOrEqual(600)
		const { rows } = await w.sql('SELECT count(*)::int AS n FROM "file" WHERE "ownerId" = $1', [mallory.userId])
		expect(rows[0].n).toBe(count('commit'))

		// One budget: a user who spent it on the HTTP API is refused on the socket too.
		const bob = await w.user('bob')
		const b = await w.openUserSocket(bob)
		// /unfurl without a url is the cheapest charged call; a fixed window may reset mid-loop, so allow two.
		expect((await sendUntilRateLimited(() => w.api('GET', '/unfurl', { token: bob.token }), 601)).status).toBe(429)
		expect(await b.outcome(b.mutate('updateUser', { color: '#000000' }))).toMatchObject({ type: 'reject', code: 'RATE_LIMITED' })

		// The socket and the object's connection still work for someone else's mutations.
		const alice = await w.user('alice')
		const a = await w.openUserSocket(alice)
		expect((await a.outcome(a.mutate('createFile', { name: 'after the burst' }))).type).toBe('commit')
	})
})
