import { describe, expect, it } from 'vitest'
import { MutationBudget } from '../../src/user/MutationBudget'

/** A fixed-budget limiter that records the keys it was asked about. */
function fakeLimiter(budget: number) {
	const keys: string[] = []
	return {
		keys,
		limit: async ({ key }: { key: string }) => {
			keys.push(key)
			return { success: keys.length <= budget }
		},
	} as unknown as RateLimit & { keys: string[] }
}

describe('MutationBudget', () => {
	it('charges the user’s API key and refuses once the budget is spent', async () => {
		const limiter = fakeLimiter(2)
		const budget = new MutationBudget(limiter, 10)
		for (let i = 0; i < 2; i++) {
			expect(await budget.admit('u1')).toBeNull()
			budget.release()
		}
		expect(await budget.admit('u1')).toMatch(/rate limit/)
		expect(limiter.keys).toEqual(['user:u1', 'user:u1', 'user:u1'])
	})

	it('refuses past the in-flight cap without charging, and admits again after a release', async () => {
		const limiter = fakeLimiter(100)
		const budget = new MutationBudget(limiter, 2)
		expect(await budget.admit('u1')).toBeNull()
		expect(await budget.admit('u1')).toBeNull()
		expect(await budget.admit('u1')).toMatch(/in flight/)
		expect(limiter.keys).toHaveLength(2)
		budget.release()
		expect(await budget.admit('u1')).toBeNull()
	})

	it('a refused or failed charge frees its slot', async () => {
		const budget = new MutationBudget(fakeLimiter(0), 1)
		expect(await budget.admit('u1')).toMatch(/rate limit/)
		expect(await budget.admit('u1')).toMatch(/rate limit/) // not "in flight": the slot was freed
		const failing = new MutationBudget({ limit: async () => Promise.reject(new Error('down')) } as unknown as RateLimit, 1)
		await expect(failing.admit('u1')).rejects.toThrow('down')
		await expect(failing.admit('u1')).rejects.toThrow('down')
	})
})
