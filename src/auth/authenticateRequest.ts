import { verifyToken } from '@clerk/backend'
import { z } from 'zod'
import { isValidId } from '../storage/keys'
import type { AuthConfig } from '../config'
import { authError, ErrorCode } from '../http/errors'
import { extractToken, type Transport } from './extractToken'

/** A verified Clerk session. `name`/`email` are present only when the session token template adds them. */
export type Auth = Readonly<{
	userId: string
	sessionId: string
	name?: string
	email?: string
}>

/** `verifyToken` from @clerk/backend (throws on failure); injectable so the secret-key path is testable offline. */
export type VerifyTokenFn = (token: string, options: Parameters<typeof verifyToken>[1]) => Promise<unknown>

const optionalClaim = (max: number) => z.string().min(1).max(max).optional().catch(undefined)

const SessionClaimsSchema = z.object({
	sub: z.string({ error: 'subject (sub) is required' }).refine(isValidId, 'subject (sub) is not a valid user id'),
	sid: z.string({ error: 'session id (sid) is required' }).min(1, 'session id (sid) is required').max(128, 'session id (sid) is too long'),
	name: optionalClaim(256),
	email: optionalClaim(320),
})

/** Clerk failure reasons that mean *we* could not check the token (config, network), not that it is bad. */
const SERVER_SIDE_REASONS = new Set(['jwk-remote-failed-to-load', 'secret-key-invalid', 'jwk-remote-invalid', 'jwk-local-missing', 'jwk-failed-to-resolve'])

const REASON_MESSAGES: Record<string, string> = {
	'token-expired': 'session token has expired',
	'token-not-active-yet': 'session token is not valid yet (nbf is in the future)',
	'token-iat-in-the-future': 'session token was issued in the future (check the clock)',
	'token-invalid-algorithm': 'session token uses an unsupported algorithm (RS256/RS384/RS512 only)',
	'token-invalid-signature': 'session token signature is invalid (signed with another key?)',
	'token-invalid-authorized-parties': 'session token was issued for an origin that is not in ALLOWED_ORIGINS (azp)',
	'token-invalid-issuer': 'session token issuer (iss) is not accepted',
	'token-invalid': 'session token is malformed',
	'jwk-remote-missing': 'session token was signed with an unknown key (kid)',
	'jwk-kid-mismatch': 'session token was signed with an unknown key (kid)',
}

/** Maps a thrown verification error to the ApiError a client sees; never echoes the token. */
export function describeTokenError(err: unknown): { status: 401 | 503; message: string } {
	const reason = typeof err === 'object' && err !== null && 'reason' in err ? String(err.reason) : ''
	if (SERVER_SIDE_REASONS.has(reason)) return { status: 503, message: 'session tokens cannot be verified right now' }
	return { status: 401, message: REASON_MESSAGES[reason] ?? 'session token is invalid' }
}

/**
 * The verified caller, or null when the request carries no token. A token that fails verification throws
 * 401, and so does a token in the URL of a plain HTTP request (see extractToken).
 */
export async function authenticateRequest(
	request: { headers: Headers; url: string },
	config: AuthConfig,
	transport: Transport = 'http',
	verify: VerifyTokenFn = verifyToken,
): Promise<Auth | null> {
	const token = extractToken(request, transport)
	if (token === null) return null
	return verifySessionToken(token, config, verify)
}

/** Verifies one Clerk session token. Networkless with `jwtKey`; with only `secretKey` Clerk fetches its JWKS. */
export async function verifySessionToken(token: string, config: AuthConfig, verify: VerifyTokenFn = verifyToken): Promise<Auth> {
	if (!config.jwtKey && !config.secretKey) {
		throw authError(500, ErrorCode.AUTH_NOT_CONFIGURED, 'authentication is not configured: set CLERK_JWT_KEY or CLERK_SECRET_KEY')
	}
	let payload: unknown
	try {
		payload = await verify(token, {
			// jwtKey wins inside Clerk when both are given; passing only one keeps the choice explicit.
			...(config.jwtKey ? { jwtKey: config.jwtKey } : { secretKey: config.secretKey }),
			...(config.authorizedParties ? { authorizedParties: [...config.authorizedParties] } : {}),
		})
	} catch (err) {
		const { status, message } = describeTokenError(err)
		throw authError(status, status === 503 ? ErrorCode.AUTH_UNAVAILABLE : ErrorCode.NOT_AUTHENTICATED, message)
	}
	const claims = SessionClaimsSchema.safeParse(payload)
	if (!claims.success) {
		throw authError(401, ErrorCode.NOT_AUTHENTICATED, `not a session token: ${claims.error.issues[0]?.message ?? 'bad claims'}`)
	}
	const { sub, sid, name, email } = claims.data
	return Object.freeze({ userId: sub, sessionId: sid, ...(name ? { name } : {}), ...(email ? { email } : {}) })
}

/** 401 unless there is a signed-in caller. */
export function requireAuth(auth: Auth | null): Auth {
	if (!auth) throw authError(401, ErrorCode.NOT_AUTHENTICATED, 'sign in required: send a session token as "Authorization: Bearer <token>"')
	return auth
}
