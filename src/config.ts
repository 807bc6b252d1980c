import { z } from 'zod'

/** Defaults with their units, in one place. */
export const DEFAULT_MAX_SESSIONS_PER_ROOM = 50
export const DEFAULT_PERSIST_INTERVAL_MS = 8_000
/** Assembled client message limit; stock clients split frames at 1 MiB (tldraw's `chunk`). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
/** Per-session push rate inside a room (token bucket). */
export const DEFAULT_MAX_PUSHES_PER_SECOND = 60
export const DEFAULT_PUSH_BURST = 120
/** How often the replicator's alarm checks (and restarts) its stream; workerd evicts idle objects after ~80 s. */
export const DEFAULT_REPLICATOR_KEEPALIVE_MS = 20_000
/** A single WebSocket frame can never be larger than this on Cloudflare. */
export const MAX_FRAME_BYTES = 1024 * 1024
/** R2 export retry backoff after a failure: doubles from the first value up to the cap. */
export const EXPORT_RETRY_MIN_MS = 1_000
export const EXPORT_RETRY_MAX_MS = 60_000

const boolFromString = z
	.enum(['true', 'false', '1', '0'])
	.transform((v) => v === 'true' || v === '1')

const positiveInt = z.coerce.number().int().positive()

const EnvSchema = z.object({
	ANONYMOUS_ROOMS: boolFromString.default(true),
	ALLOWED_ORIGINS: z.string().default('*'),
	MAX_SESSIONS_PER_ROOM: positiveInt.default(DEFAULT_MAX_SESSIONS_PER_ROOM),
	PERSIST_INTERVAL_MS: positiveInt.default(DEFAULT_PERSIST_INTERVAL_MS),
	MAX_MESSAGE_BYTES: positiveInt.default(DEFAULT_MAX_MESSAGE_BYTES),
	MAX_PUSHES_PER_SECOND: positiveInt.default(DEFAULT_MAX_PUSHES_PER_SECOND),
	PUSH_BURST: positiveInt.default(DEFAULT_PUSH_BURST),
	SENTRY_DSN: z.string().url().optional(),
	REPLICATION_SLOT: z.string().regex(/^[a-z0-9_]{1,63}$/, 'must be a Postgres slot name ([a-z0-9_], ≤ 63)').default('sync_worker_dev'),
	REPLICATOR_KEEPALIVE_MS: positiveInt.default(DEFAULT_REPLICATOR_KEEPALIVE_MS),
	ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
	DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
	// Local development only: ./dev.sh writes both to .dev.vars (never wrangler.toml). See src/auth/devSignIn.ts.
	DEV_SIGN_IN: boolFromString.default(false),
	DEV_SIGN_IN_KEY: z.string().includes('PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' }).optional(),
})

export type Config = Readonly<{
	anonymousRooms: boolean
	allowedOrigins: readonly string[]
	maxSessionsPerRoom: number
	persistIntervalMs: number
	maxMessageBytes: number
	maxPushesPerSecond: number
	pushBurst: number
	sentryDsn: string | undefined
	databaseUrl: string | undefined
	replicationSlot: string
	replicatorKeepaliveMs: number
	adminToken: string | undefined
	/** The dev sign-in route's signing key (PKCS#8 PEM); set only when DEV_SIGN_IN is true and a key is given. */
	devSignInKey: string | undefined
}>

const cache = new WeakMap<object, Config>()

/** Parses the Worker env once per env object; throws a readable error naming the bad variable. */
export function getConfig(env: object): Config {
	const cached = cache.get(env)
	if (cached) return cached
	const parsed = EnvSchema.safeParse(
		Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string' && v !== '')),
	)
	if (!parsed.success) {
		const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
		throw new Error(`invalid configuration: ${issues}`)
	}
	const e = parsed.data
	const config: Config = Object.freeze({
		anonymousRooms: e.ANONYMOUS_ROOMS,
		allowedOrigins: Object.freeze(
			e.ALLOWED_ORIGINS.split(',')
				.map((s) => s.trim())
				.filter(Boolean),
		),
		maxSessionsPerRoom: e.MAX_SESSIONS_PER_ROOM,
		persistIntervalMs: e.PERSIST_INTERVAL_MS,
		maxMessageBytes: e.MAX_MESSAGE_BYTES,
		maxPushesPerSecond: e.MAX_PUSHES_PER_SECOND,
		pushBurst: e.PUSH_BURST,
		sentryDsn: e.SENTRY_DSN,
		databaseUrl: e.DATABASE_URL,
		replicationSlot: e.REPLICATION_SLOT,
		replicatorKeepaliveMs: e.REPLICATOR_KEEPALIVE_MS,
		adminToken: e.ADMIN_TOKEN,
		devSignInKey: e.DEV_SIGN_IN ? e.DEV_SIGN_IN_KEY?.replace(/\\n/g, '\n') : undefined,
	})
	cache.set(env, config)
	return config
}
