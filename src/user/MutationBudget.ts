import { isAllowed, rateLimitKey } from '../http/rateLimit'

/** Mutations of one user object running at once; the object has one Postgres connection to share. */
export const MAX_MUTATIONS_IN_FLIGHT = 16

/**
 * What a user-socket mutation must get before it touches Postgres: a slot among the few allowed to run at
 * once (so a burst is refused at once instead of queueing on the connection until it times out) and one
 * unit of the user's budget on API_RATE_LIMITER — the same key the HTTP API charges, so the socket is no
 * way around the API's limit.
 */
export class MutationBudget {
	private inFlight = 0

	constructor(
		private readonly limiter: RateLimit,
		private readonly maxInFlight = MAX_MUTATIONS_IN_FLIGHT,
	) {}

	/** null: run it, then call `release()`. Otherwise the reason to refuse it (RATE_LIMITED). */
	async admit(userId: string): Promise<string | null> {
		if (this.inFlight >= this.maxInFlight) return `more than ${this.maxInFlight} mutations in flight: wait for their results before sending more`
		this.inFlight++
		try {
			if (await isAllowed(this.limiter, rateLimitKey({ userId, headers: new Headers(), clientIpHeader: '' }))) return null
		} catch (err) {
			this.inFlight--
			throw err
		}
		this.inFlight--
		return 'too many requests: this account is over its rate limit; retry in a minute'
	}

	release() {
		this.inFlight--
	}
}
