import type { AssetQueueMessage } from './assets/AssetQueueMessage'
import type { PurgeDurableObject } from '../durable-objects/PurgeDurableObject'
import type { StatsDurableObject } from '../durable-objects/StatsDurableObject'
import type { WebhookQueueMessage } from './webhooks/WebhookEvent'
import type { DeadLetter } from './webhooks/deliverWebhookBatch'
import type { ReplicatorDurableObject } from '../durable-objects/ReplicatorDurableObject'
import type { RoomDurableObject } from '../durable-objects/RoomDurableObject'
import type { UserDurableObject } from '../durable-objects/UserDurableObject'

/** Bindings and vars exactly as wrangler.toml declares them. Values are parsed by `getConfig`. */
export interface Env {
	ROOM: DurableObjectNamespace<RoomDurableObject>
	USER: DurableObjectNamespace<UserDurableObject>
	REPLICATOR: DurableObjectNamespace<ReplicatorDurableObject>
	/** Singleton behind the admin view: batched room reports, webhook counters. */
	STATS: DurableObjectNamespace<StatsDurableObject>
	/** One per user: the resumable purge job of DELETE /app/me. */
	PURGE: DurableObjectNamespace<PurgeDurableObject>
	ROOMS: R2Bucket
	ROOM_HISTORY: R2Bucket
	/** Uploaded documents waiting for their room's first start; later also published snapshots. */
	SNAPSHOTS: R2Bucket
	/** Uploaded assets (images, videos), served by GET /app/uploads/:objectName. */
	UPLOADS: R2Bucket
	/** Asset association: one message per stored upload, consumed by this Worker's `queue` handler. */
	ASSET_QUEUE: Queue<AssetQueueMessage>
	/** Webhook events, one message per event and receiver; consumed by this Worker's `queue` handler. */
	WEBHOOK_QUEUE: Queue<WebhookQueueMessage>
	/** Dead letters of WEBHOOK_QUEUE: permanent failures at once, others after max_retries. */
	WEBHOOK_DLQ: Queue<DeadLetter>
	/** HTTP API requests per user (or per IP when signed out). */
	API_RATE_LIMITER: RateLimit
	/** Room connections per user or IP; also bounds how fast one IP can create anonymous rooms. */
	ROOM_CONNECT_RATE_LIMITER: RateLimit
	ANONYMOUS_API_RATE_LIMITER: RateLimit
	DATABASE_URL?: string
	REPLICATION_SLOT?: string
	REPLICATOR_KEEPALIVE_MS?: string
	ADMIN_TOKEN?: string
	CLERK_JWT_KEY?: string
	CLERK_SECRET_KEY?: string
	ANONYMOUS_ROOMS?: string
	ALLOWED_ORIGINS?: string
	MAX_SESSIONS_PER_ROOM?: string
	PERSIST_INTERVAL_MS?: string
	MAX_MESSAGE_BYTES?: string
	MAX_PUSHES_PER_SECOND?: string
	PUSH_BURST?: string
	MAX_ANONYMOUS_UPLOAD_BYTES?: string
	SENTRY_DSN?: string
	WEBHOOK_URL?: string
	WEBHOOK_SECRET?: string
	WEBHOOK_DEBOUNCE_MS?: string
	WEBHOOK_RETRY_BASE_SECONDS?: string
	WEBHOOK_RETRY_MAX_SECONDS?: string
	STATS_REPORT_MS?: string
	PURGE_STEP_DELAY_MS?: string
	/** The web app's static files (client/dist); absent in tests that run the Worker without assets. */
	ASSETS?: Fetcher
	/** `true` enables POST /app/dev/sign-in (local development only; set in .dev.vars by ./dev.sh). */
	DEV_SIGN_IN?: string
	/** The dev Clerk stand-in's private key (PKCS#8 PEM) the dev sign-in route signs with. */
	DEV_SIGN_IN_KEY?: string
}
