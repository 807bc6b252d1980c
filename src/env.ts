import type { RoomDurableObject } from '../durable-objects/RoomDurableObject'

/** Bindings and vars exactly as wrangler.toml declares them. Values are parsed by `getConfig`. */
export interface Env {
	ROOM: DurableObjectNamespace<RoomDurableObject>
	ROOMS: R2Bucket
	ROOM_HISTORY: R2Bucket
	/** Uploaded documents waiting for their room's first start; later also published snapshots. */
	SNAPSHOTS: R2Bucket
	/** HTTP API requests per user (or per IP when signed out). */
	API_RATE_LIMITER: RateLimit
	/** Room connections per user or IP; also bounds how fast one IP can create anonymous rooms. */
	ROOM_CONNECT_RATE_LIMITER: RateLimit
	DATABASE_URL?: string
	CLERK_JWT_KEY?: string
	CLERK_SECRET_KEY?: string
	ANONYMOUS_ROOMS?: string
	ALLOWED_ORIGINS?: string
	MAX_SESSIONS_PER_ROOM?: string
	PERSIST_INTERVAL_MS?: string
	MAX_MESSAGE_BYTES?: string
	MAX_PUSHES_PER_SECOND?: string
	PUSH_BURST?: string
	SENTRY_DSN?: string
}
