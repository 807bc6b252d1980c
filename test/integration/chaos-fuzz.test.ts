/**
 * A short run of the seeded chaos fuzz (test/fuzz/chaos.ts; longer runs: `npm run fuzz -- --seeds N`):
 * real tldraw writers and a read-only client against `wrangler dev`, random edits and socket drops;
 * seed 2 also SIGKILLs workerd mid-run and restarts it. Each seed must end with every client equal to
 * the server's snapshot, every create nobody deleted present, and no read-only write anywhere.
 */
import { expect, it } from 'vitest'
import { killsBySeed, runChaos } from '../fuzz/chaos'

it.each([1, 2])('chaos seed %i converges with nothing lost and nothing read-only written', async (seed) => {
	const result = await runChaos({ seed, ops: 100 })
	expect(result.killed).toBe(killsBySeed(seed))
	expect(result.failures, `replay with: npm run fuzz -- --seed ${seed}`).toEqual([])
	expect(result.shapesAtEnd).toBeGreaterThan(0)
}, 240_000)
