import { z } from 'zod'

/** Clerk's networkless verifier only understands this exact SPKI prefix and suffix: RSA-2048, e = 65537. */
const CLERK_RSA_SPKI_PREFIX = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'
const CLERK_RSA_SPKI_SUFFIX = 'IDAQAB'
const PEM_RE = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----\s*$/

export type AuthConfig = Readonly<{
	/** PEM public key (CLERK_JWT_KEY): tokens are verified with no network access. Wins over `secretKey`. */
	jwtKey: string | undefined
	/** CLERK_SECRET_KEY: Clerk's JWKS is fetched (and cached) from the Clerk API to verify tokens. */
	secretKey: string | undefined
	/** Accepted `azp` claims; undefined when ALLOWED_ORIGINS is `*` (any origin, Clerk skips the check). */
	authorizedParties: readonly string[] | undefined
}>

/**
 * Secrets pasted into dashboards or `.dev.vars` without dotenv quoting keep `\n` as two characters;
 * Clerk only strips real newlines, so turn escaped ones back into newlines.
 */
function normalizePem(value: string): string {
	return value.replace(/\\r\\n|\\n|\\r/g, '\n').trim() + '\n'
}

const JwtKeySchema = z
	.string()
	.transform(normalizePem)
	.superRefine((pem, ctx) => {
		const match = PEM_RE.exec(pem.trim())
		if (!match) {
			ctx.addIssue({ code: 'custom', message: 'must be a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)' })
			return
		}
		const body = (match[1] ?? '').replace(/\s+/g, '')
		if (!body.startsWith(CLERK_RSA_SPKI_PREFIX) || !body.endsWith(CLERK_RSA_SPKI_SUFFIX)) {
			ctx.addIssue({ code: 'custom', message: 'must be an RSA-2048 public key with exponent 65537 (the only kind Clerk verifies)' })
		}
	})

const AuthEnvSchema = z.object({
	CLERK_JWT_KEY: JwtKeySchema.optional(),
	CLERK_SECRET_KEY: z.string().regex(/^sk_(test|live)_\S+$/, 'must look like sk_test_… or sk_live_…').optional(),
	ALLOWED_ORIGINS: z.string().default('*'),
})

/** Parses the auth part of the Worker env; throws a readable error naming the bad variable. */
export function parseAuthConfig(env: object): AuthConfig {
	const parsed = AuthEnvSchema.safeParse(
		Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string' && v !== '')),
	)
	if (!parsed.success) {
		const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
		throw new Error(`invalid configuration: ${issues}`)
	}
	const e = parsed.data
	const origins = e.ALLOWED_ORIGINS.split(',')
		.map((s) => s.trim())
		.filter(Boolean)
	return Object.freeze({
		jwtKey: e.CLERK_JWT_KEY,
		secretKey: e.CLERK_SECRET_KEY,
		authorizedParties: origins.length === 0 || origins.includes('*') ? undefined : Object.freeze(origins),
	})
}
