/**
 * Issue 12 item 12. Anonymous callers are limited by the client address the deployment trusts, never by a
 * header they can set themselves, and never not at all. Attack on a self-hosted deployment whose proxy sets
 * `X-Real-IP` (CLIENT_IP_HEADER=x-real-ip): the caller sends a new `cf-connecting-ip` with every request,
 * which a key taken from that header would count as a new client each time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, sendUntilRateLimited } from '../../helpers/api'
import { startHarness } from '../../helpers/worker'

let harness: Awaited<ReturnType<typeof startHarness>>
beforeAll(async () => {
	harness = await startHarness({ CLIENT_IP_HEADER: 'x-real-ip' })
})
afterAll(async () => {
	await harness?.server.close()
})
const api = apiClient(() => harness.url)

describe('anonymous callers are always rate-limited', () => {
	it('a spoofed cf-connecting-ip per request does not escape the limit when another header is trusted', async () => {
		// API_RATE_LIMITER allows 300 a minute per key; a fixed window may reset mid-loop, so allow two.
		// An anonymous room's history is an API call anyone may make.
		const last = await sendUntilRateLimited(async (i) => {
			const res = await api('GET', '/r/spoofed-room/history', { headers: { 'cf-connecting-ip': `10.${(i >> 8) & 255}.${i & 255}.7` } })
			if (res.status !== 429) expect(res.status).toBe(200)
			return res
		}, 601)
		expect(last).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } })
	})
})
