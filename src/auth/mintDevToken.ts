import { importPKCS8, SignJWT } from 'jose'

/**
 * Session tokens in the shape Clerk issues, signed with the local dev key (scripts/dev-keys.ts). Used by
 * `npm run token`, the tests and the dev sign-in route; the Worker verifies them through CLERK_JWT_KEY.
 */
export const DEV_TOKEN_ISSUER = 'https://clerk.sync-worker.localhost'
export const DEV_KEY_ID = 'sync-worker-dev'
export const DEFAULT_TTL_SECONDS = 24 * 60 * 60
export const DEFAULT_AZP = 'http://localhost:8787'
const USER_ID_RE = /^[A-Za-z0-9_-]{1,128}$/

export type DevTokenOptions = {
	userId: string
	name?: string
	email?: string
	sessionId?: string
	azp?: string
	ttlSeconds?: number
	/** Seconds since the epoch; defaults to now. */
	nowSeconds?: number
}

/** Signs a session token with a PKCS#8 RSA private key PEM. */
export async function mintDevToken(privateKeyPem: string, opts: DevTokenOptions): Promise<string> {
	if (!USER_ID_RE.test(opts.userId)) throw new Error(`userId must match ${USER_ID_RE}`)
	const key = await importPKCS8(privateKeyPem, 'RS256')
	const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000)
	const ttl = opts.ttlSeconds ?? DEFAULT_TTL_SECONDS
	const claims: Record<string, string> = {
		sid: opts.sessionId ?? `sess_dev_${randomBase64Url(9)}`,
		azp: opts.azp ?? DEFAULT_AZP,
	}
	if (opts.name !== undefined) claims.name = opts.name
	if (opts.email !== undefined) claims.email = opts.email
	return new SignJWT(claims)
		.setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: DEV_KEY_ID })
		.setSubject(opts.userId)
		.setIssuer(DEV_TOKEN_ISSUER)
		// Clerk backdates nbf a little to absorb clock skew between its servers and yours.
		.setIssuedAt(now)
		.setNotBefore(now - 5)
		.setExpirationTime(now + ttl)
		.sign(key)
}

function randomBase64Url(bytes: number): string {
	const raw = crypto.getRandomValues(new Uint8Array(bytes))
	return btoa(String.fromCharCode(...raw)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
