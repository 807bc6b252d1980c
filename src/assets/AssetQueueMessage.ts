import { z } from 'zod'
import { isValidId } from '../storage/keys'
import { MAX_UPLOAD_BYTES, OBJECT_NAME_RE, UPLOAD_CONTENT_TYPES } from './checkUpload'

/**
 * Queue `ASSET_QUEUE` (sync-worker-assets): one message per stored upload, consumed by
 * handleAssetQueueBatch, which records the `asset` row. Unknown extra fields are ignored, so a newer
 * producer can add some while an older consumer is still draining the queue.
 */
export const AssetQueueMessageSchema = z.object({
	type: z.literal('asset-uploaded'),
	objectName: z.string().regex(OBJECT_NAME_RE),
	fileId: z.string().refine(isValidId, 'fileId must be an id'),
	userId: z.string().refine(isValidId, 'userId must be an id'),
	size: z.number().int().positive().max(MAX_UPLOAD_BYTES),
	contentType: z.enum(UPLOAD_CONTENT_TYPES),
	uploadedAt: z.iso.datetime(),
})
export type AssetQueueMessage = z.infer<typeof AssetQueueMessageSchema>

/** Backoff before a failed message is offered again: 10 s doubling per attempt, at most 5 minutes. */
export const ASSET_RETRY_BASE_S = 10
export const ASSET_RETRY_MAX_S = 300

export function assetRetryDelaySeconds(attempts: number): number {
	const exponent = Math.max(0, Math.min(attempts - 1, 10))
	return Math.min(ASSET_RETRY_MAX_S, ASSET_RETRY_BASE_S * 2 ** exponent)
}
