import type { Env } from '../env'

/** The one stats object (admin view). */
export function statsStub(env: Pick<Env, 'STATS'>) {
	return env.STATS.get(env.STATS.idFromName('stats'))
}
