import { z } from 'zod'

/** Every event type a receiver can get (README "Webhooks"). */
export const WEBHOOK_EVENT_TYPES = [
	'document.updated',
	'session.joined',
	'session.left',
	'file.created',
	'file.updated',
	'file.deleted',
	'file.published',
	'file.unpublished',
	'history.restored',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/**
 * The JSON body POSTed to each WEBHOOK_URL. `id` is stable across retries and re-deliveries (the
 * `webhook-id` header); `seq` increases by one per event of the same `roomKey` and `source`, so a receiver
 * can order and de-duplicate: room events (document, sessions, history) are numbered by the room,
 * file events by the replication stream that saw the Postgres change.
 */
export const WebhookEventSchema = z.object({
	id: z.string().min(1).max(128),
	type: z.enum(WEBHOOK_EVENT_TYPES),
	timestamp: z.iso.datetime(),
	roomKey: z.string().min(1),
	source: z.enum(['room', 'replication']),
	seq: z.number().int().positive(),
	data: z.record(z.string(), z.unknown()),
})
export type WebhookEvent = z.infer<typeof WebhookEventSchema>

/** One message of WEBHOOK_QUEUE: one event for one receiver, so each URL retries on its own. */
export const WebhookQueueMessageSchema = z.object({
	type: z.literal('webhook'),
	url: z.url(),
	event: WebhookEventSchema,
})
export type WebhookQueueMessage = z.infer<typeof WebhookQueueMessageSchema>

/** One queue message per configured URL. */
export function messagesFor(event: WebhookEvent, urls: readonly string[]): Array<{ body: WebhookQueueMessage }> {
	return urls.map((url) => ({ body: { type: 'webhook', url, event } }))
}

/** What a room can emit; the Durable Object only calls these (see RoomWebhooks). */
export type RoomEventType = Extract<WebhookEventType, 'document.updated' | 'session.joined' | 'session.left' | 'history.restored'>
