import { getConfig } from '../config'
import { createDb } from '../db/createDb'
import { createAssetRepository, type AssetRepository } from './AssetRepository'
import { AssetQueueMessageSchema, assetRetryDelaySeconds } from './AssetQueueMessage'

export type AssetQueueDeps = {
	/** Runs `fn` with a repository; default: one Postgres connection for the batch, from DATABASE_URL. */
	withAssets?: <T>(fn: (repo: AssetRepository) => Promise<T>) => Promise<T>
	log?: Pick<Console, 'error'>
}

/**
 * The `queue` handler of ASSET_QUEUE: records an `asset` row per stored upload.
 * - a valid message is acked once its row is written (idempotent: redelivery inserts nothing);
 * - a failed write is retried with backoff (`message.retry`), up to the consumer's max_retries;
 * - a message that fails the schema is acked and logged: retrying can never fix it;
 * - when Postgres is unreachable the whole batch is retried.
 */
export async function handleAssetQueueBatch(batch: MessageBatch<unknown>, env: object, deps: AssetQueueDeps = {}): Promise<void> {
	const log = deps.log ?? console
	const withAssets = deps.withAssets ?? ((fn) => withPostgresAssets(env, fn))
	try {
		await withAssets(async (repo) => {
			for (const message of batch.messages) {
				const parsed = AssetQueueMessageSchema.safeParse(message.body)
				if (!parsed.success) {
					log.error(`asset queue: dropping malformed message ${message.id}: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
					message.ack()
					continue
				}
				const { type: _type, uploadedAt, ...asset } = parsed.data
				try {
					await repo.recordAsset({ ...asset, uploadedAt: new Date(uploadedAt) })
					message.ack()
				} catch (err) {
					log.error(`asset queue: recording ${asset.objectName} failed (attempt ${message.attempts}):`, err instanceof Error ? err.message : err)
					message.retry({ delaySeconds: assetRetryDelaySeconds(message.attempts) })
				}
			}
		})
	} catch (err) {
		// Opening the connection failed (or closing it did): nothing of this batch is known to be written.
		// Messages already acked stay acked; retryAll only affects the rest.
		log.error('asset queue: batch failed:', err instanceof Error ? err.message : err)
		const attempts = Math.max(1, ...batch.messages.map((m) => m.attempts))
		batch.retryAll({ delaySeconds: assetRetryDelaySeconds(attempts) })
	}
}

async function withPostgresAssets<T>(env: object, fn: (repo: AssetRepository) => Promise<T>): Promise<T> {
	const url = getConfig(env).databaseUrl
	if (!url) throw new Error('DATABASE_URL is not set')
	const { db, close } = createDb(url)
	try {
		return await fn(createAssetRepository(db))
	} finally {
		await close()
	}
}
