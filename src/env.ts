import type { RoomDurableObject } from '../durable-objects/RoomDurableObject'

/** Bindings and vars exactly as wrangler.toml declares them. Values are parsed by `getConfig`. */
export interface Env {
	ROOM: DurableObjectNamespace<RoomDurableObject>
	ROOMS: R2Bucket
	ROOM_HISTORY: R2Bucket
	ANONYMOUS_ROOMS?: string
	ALLOWED_ORIGINS?: string
	MAX_SESSIONS_PER_ROOM?: string
	PERSIST_INTERVAL_MS?: string
	MAX_MESSAGE_BYTES?: string
	MAX_PUSHES_PER_SECOND?: string
	PUSH_BURST?: string
	SENTRY_DSN?: string
}
