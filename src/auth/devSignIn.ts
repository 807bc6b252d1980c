import { z } from 'zod'
import type { Config } from '../config'
import { ApiError, ErrorCode } from '../http/errors'
import { mintDevToken } from './mintDevToken'

/**
 * The web app's dev sign-in: pick a user name, get a session token signed with the local dev key, the same
 * kind `npm run token` prints. The route exists only when `.dev.vars` sets DEV_SIGN_IN=true and the key
 * (./dev.sh does both; wrangler.toml never does), and only answers requests made to localhost.
 */
export const DEV_SIGN_IN_TTL_SECONDS = 12 * 60 * 60
const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

export type DevSignInDecision = { kind: 'absent' } | { kind: 'refused'; reason: string } | { kind: 'allow'; privateKeyPem: string }

export function decideDevSignIn(config: Pick<Config, 'devSignInKey'>, requestUrl: string, origin: string | null): DevSignInDecision {
	if (!config.devSignInKey) return { kind: 'absent' }
	if (!LOCAL_HOSTNAMES.has(new URL(requestUrl).hostname)) return { kind: 'refused', reason: 'dev sign-in only answers on localhost' }
	// A page on another site could otherwise sign a visitor's browser in to the local server.
	if (origin !== null && !isLocalOrigin(origin)) return { kind: 'refused', reason: 'dev sign-in only answers pages on localhost' }
	return { kind: 'allow', privateKeyPem: config.devSignInKey }
}

function isLocalOrigin(origin: string): boolean {
	try {
		return LOCAL_HOSTNAMES.has(new URL(origin).hostname)
	} catch {
		return false
	}
}

/** "Alice Smith" → "alice-smith": the user id a dev user name stands for (so the same name is the same user). */
export function devUserIdFor(name: string): string | null {
	const id = name
		.trim()
		.toLowerCase()
		.replace(/[^a-z0-9_-]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 64)
	return id === '' ? null : id
}

export const DevSignInBodySchema = z.strictObject({ name: z.string().trim().min(1, 'name is required').max(64) })

export type DevSignInResult = { token: string; userId: string; name: string; expiresAt: string }

export async function signInDevUser(decision: Extract<DevSignInDecision, { kind: 'allow' }>, name: string, azp: string, nowMs = Date.now()): Promise<DevSignInResult> {
	const userId = devUserIdFor(name)
	if (!userId) throw new ApiError(400, ErrorCode.BAD_REQUEST, 'name must contain a letter or a digit')
	const nowSeconds = Math.floor(nowMs / 1000)
	const token = await mintDevToken(decision.privateKeyPem, { userId, name, azp, nowSeconds, ttlSeconds: DEV_SIGN_IN_TTL_SECONDS })
	return { token, userId, name, expiresAt: new Date((nowSeconds + DEV_SIGN_IN_TTL_SECONDS) * 1000).toISOString() }
}
