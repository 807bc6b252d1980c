import { z } from 'zod'
import { isWebhookSecret } from './webhooks/signWebhook'

/** Defaults with their units, in one place. */
export const DEFAULT_MAX_SESSIONS_PER_ROOM = 50
export const DEFAULT_PERSIST_INTERVAL_MS = 8_000
/** Assembled client message limit; stock clients split frames at 1 MiB (tldraw's `chunk`). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
/** Largest document a room keeps (records as stored, counted incrementally); rooms warn from 80 %. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
/** Per-session push rate inside a room (token bucket). */
export const DEFAULT_MAX_PUSHES_PER_SECOND = 60
export const DEFAULT_PUSH_BURST = 120
/** How often the replicator's alarm checks (and restarts) its stream; workerd evicts idle objects after ~80 s. */
export const DEFAULT_REPLICATOR_KEEPALIVE_MS = 20_000
/** Cloudflare's edge sets this header to the connecting client's address and drops any the client sent. */
export const DEFAULT_CLIENT_IP_HEADER = 'cf-connecting-ip'
/** A single WebSocket frame can never be larger than this on Cloudflare. */
export const MAX_FRAME_BYTES = 1024 * 1024
/** R2 export retry backoff after a failure: doubles from the first value up to the cap. */
export const EXPORT_RETRY_MIN_MS = 1_000
export const EXPORT_RETRY_MAX_MS = 60_000
/** Webhooks: at most one document.updated per room per window; queue retries double from the base. */
export const DEFAULT_WEBHOOK_DEBOUNCE_MS = 2_000
export const DEFAULT_WEBHOOK_RETRY_BASE_SECONDS = 10
export const DEFAULT_WEBHOOK_RETRY_MAX_SECONDS = 3_600
/** Upload cap for the template-compatible anonymous route (POST /api/uploads/:uploadId); signed-in uploads keep 10 MiB. */
export const DEFAULT_MAX_ANONYMOUS_UPLOAD_BYTES = 5 * 1024 * 1024
/** How often a busy room reports to the stats object (admin view). */
export const DEFAULT_STATS_REPORT_MS = 10_000
/** Pause between the steps of a purge (DELETE /app/me); 0 runs the whole job at once. */
export const DEFAULT_PURGE_STEP_DELAY_MS = 0

const boolFromString = z
	.enum(['true', 'false', '1', '0'])
	.transform((v) => v === 'true' || v === '1')

const positiveInt = z.coerce.number().int().positive()

const commaList = (value: string) =>
	value
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)

/** Clerk's networkless verifier only understands this exact SPKI prefix and suffix: RSA-2048, e = 65537. */
const CLERK_RSA_SPKI_PREFIX = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'
const CLERK_RSA_SPKI_SUFFIX = 'IDAQAB'
const PEM_RE = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----\s*$/

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

/** Every variable the Worker reads, its default, and the `Config` field it becomes. */
const ConfigSchema = z
	.object({
		ANONYMOUS_ROOMS: boolFromString.default(true),
		ALLOWED_ORIGINS: z.string().default('*'),
		MAX_SESSIONS_PER_ROOM: positiveInt.default(DEFAULT_MAX_SESSIONS_PER_ROOM),
		PERSIST_INTERVAL_MS: positiveInt.default(DEFAULT_PERSIST_INTERVAL_MS),
		MAX_MESSAGE_BYTES: positiveInt.default(DEFAULT_MAX_MESSAGE_BYTES),
		MAX_PUSHES_PER_SECOND: positiveInt.default(DEFAULT_MAX_PUSHES_PER_SECOND),
		MAX_DOCUMENT_BYTES: positiveInt.default(DEFAULT_MAX_DOCUMENT_BYTES),
		PUSH_BURST: positiveInt.default(DEFAULT_PUSH_BURST),
		SENTRY_DSN: z.string().url().optional(),
		REPLICATION_SLOT: z.string().regex(/^[a-z0-9_]{1,63}$/, 'must be a Postgres slot name ([a-z0-9_], ≤ 63)').default('sync_worker_dev'),
		REPLICATOR_KEEPALIVE_MS: positiveInt.default(DEFAULT_REPLICATOR_KEEPALIVE_MS),
		ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
		DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
		/**
		 * The request header holding the client address that anonymous callers are rate-limited by. Only a
		 * header the deployment's edge or proxy overwrites may be trusted: `cf-connecting-ip` on Cloudflare;
		 * self-hosted, the one your proxy sets (e.g. `x-real-ip`) after discarding what clients sent.
		 */
		CLIENT_IP_HEADER: z
			.string()
			.regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name such as cf-connecting-ip or x-real-ip')
			.transform((h) => h.toLowerCase())
			.default(DEFAULT_CLIENT_IP_HEADER),
		/** PEM public key: tokens are verified with no network access. Wins over CLERK_SECRET_KEY. */
		CLERK_JWT_KEY: JwtKeySchema.optional(),
		/** Clerk's JWKS is fetched (and cached) from the Clerk API to verify tokens. */
		CLERK_SECRET_KEY: z.string().regex(/^sk_(test|live)_\S+$/, 'must look like sk_test_… or sk_live_…').optional(),
		/** One or more receiver URLs, separated by commas or spaces; none turns webhooks off. */
		WEBHOOK_URL: z
			.string()
			.transform((v) => v.split(/[\s,]+/).filter(Boolean))
			.pipe(z.array(z.url({ protocol: /^https?$/ })))
			.default([]),
		WEBHOOK_SECRET: z.string().refine(isWebhookSecret, 'must be whsec_<base64 of at least 16 bytes>').optional(),
		WEBHOOK_DEBOUNCE_MS: positiveInt.default(DEFAULT_WEBHOOK_DEBOUNCE_MS),
		WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().int().min(0).default(DEFAULT_WEBHOOK_RETRY_BASE_SECONDS),
		WEBHOOK_RETRY_MAX_SECONDS: positiveInt.default(DEFAULT_WEBHOOK_RETRY_MAX_SECONDS),
		STATS_REPORT_MS: positiveInt.default(DEFAULT_STATS_REPORT_MS),
		MAX_ANONYMOUS_UPLOAD_BYTES: positiveInt.max(10 * 1024 * 1024, 'must be at most 10485760 (the signed-in upload cap)').default(DEFAULT_MAX_ANONYMOUS_UPLOAD_BYTES),
		PURGE_STEP_DELAY_MS: z.coerce.number().int().min(0).default(DEFAULT_PURGE_STEP_DELAY_MS),
		// Local development only: ./dev.sh writes both to .dev.vars (never wrangler.toml). See src/auth/devSignIn.ts.
		DEV_SIGN_IN: boolFromString.default(false),
		DEV_SIGN_IN_KEY: z.string().includes('PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' }).optional(),
	})
	.refine((e) => e.WEBHOOK_URL.length === 0 || e.WEBHOOK_SECRET, { path: ['WEBHOOK_SECRET'], message: 'is required when WEBHOOK_URL is set' })
	.transform((e) => {
		const allowedOrigins = Object.freeze(commaList(e.ALLOWED_ORIGINS))
		return {
			anonymousRooms: e.ANONYMOUS_ROOMS,
			allowedOrigins,
			maxSessionsPerRoom: e.MAX_SESSIONS_PER_ROOM,
			persistIntervalMs: e.PERSIST_INTERVAL_MS,
			maxMessageBytes: e.MAX_MESSAGE_BYTES,
			maxPushesPerSecond: e.MAX_PUSHES_PER_SECOND,
			maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
			pushBurst: e.PUSH_BURST,
			sentryDsn: e.SENTRY_DSN,
			databaseUrl: e.DATABASE_URL,
			replicationSlot: e.REPLICATION_SLOT,
			replicatorKeepaliveMs: e.REPLICATOR_KEEPALIVE_MS,
			adminToken: e.ADMIN_TOKEN,
			clientIpHeader: e.CLIENT_IP_HEADER,
			webhooks: Object.freeze({
				urls: Object.freeze(e.WEBHOOK_URL),
				secret: e.WEBHOOK_SECRET,
				debounceMs: e.WEBHOOK_DEBOUNCE_MS,
				retryBaseSeconds: e.WEBHOOK_RETRY_BASE_SECONDS,
				retryMaxSeconds: e.WEBHOOK_RETRY_MAX_SECONDS,
			}),
			statsReportMs: e.STATS_REPORT_MS,
			maxAnonymousUploadBytes: e.MAX_ANONYMOUS_UPLOAD_BYTES,
			purgeStepDelayMs: e.PURGE_STEP_DELAY_MS,
			/** The dev sign-in route's signing key (PKCS#8 PEM); set only when DEV_SIGN_IN is true and a key is given. */
			devSignInKey: e.DEV_SIGN_IN ? e.DEV_SIGN_IN_KEY?.replace(/\\n/g, '\n') : undefined,
			auth: Object.freeze({
				jwtKey: e.CLERK_JWT_KEY,
				secretKey: e.CLERK_SECRET_KEY,
				/** Accepted `azp` claims; undefined when ALLOWED_ORIGINS is `*` (any origin, Clerk skips the check). */
				authorizedParties: allowedOrigins.length === 0 || allowedOrigins.includes('*') ? undefined : allowedOrigins,
			}),
		}
	})

export type Config = Readonly<z.infer<typeof ConfigSchema>>
/** How session tokens are verified (CLERK_JWT_KEY, CLERK_SECRET_KEY, ALLOWED_ORIGINS as `azp`). */
export type AuthConfig = Config['auth']

const cache = new WeakMap<object, Config>()

/** Parses the Worker env once per env object; throws a readable error naming the bad variable. */
export function getConfig(env: object): Config {
	const cached = cache.get(env)
	if (cached) return cached
	const parsed = ConfigSchema.safeParse(
		Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string' && v !== '')),
	)
	if (!parsed.success) {
		const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
		throw new Error(`invalid configuration: ${issues}`)
	}
	const config: Config = Object.freeze(parsed.data)
	cache.set(env, config)
	return config
}
