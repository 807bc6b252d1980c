import type { SessionStateSnapshot } from '@tldraw/sync-core'
import { z } from 'zod'

/**
 * What survives hibernation on each room socket. `snapshot` lets the room resume the session in place;
 * `connected` records that the socket already sent its one `connect`; `lacks`, the shape and binding
 * types its client cannot represent (SchemaGaps). A socket whose access was withdrawn has its attachment
 * cleared (`clearAttachment`), so it can never be resumed or speak for a session again.
 */
const AttachmentSchema = z.object({
	sessionId: z.string(),
	isReadonly: z.boolean(),
	userId: z.string().nullable(),
	connected: z.boolean().optional(),
	/** Like `shape/card`; absent when the client lacks none, and in attachments stored before it existed. */
	lacks: z.array(z.string()).optional(),
	snapshot: z.custom<SessionStateSnapshot>((v) => typeof v === 'object' && v !== null).optional(),
})
export type Attachment = z.infer<typeof AttachmentSchema>

export function readAttachment(ws: WebSocket): Attachment | null {
	const parsed = AttachmentSchema.safeParse(ws.deserializeAttachment())
	return parsed.success ? parsed.data : null
}

/** Each socket's attachment, deserialized and checked once per socket while the object lives, not per message. */
export class AttachmentCache {
	private readonly bySocket = new WeakMap<WebSocket, Attachment>()

	of(ws: WebSocket): Attachment | null {
		let attachment = this.bySocket.get(ws)
		if (!attachment) {
			attachment = readAttachment(ws) ?? undefined
			if (attachment) this.bySocket.set(ws, attachment)
		}
		return attachment ?? null
	}

	/** Stores a changed attachment on the socket and in the cache. */
	update(ws: WebSocket, attachment: Attachment) {
		ws.serializeAttachment(attachment)
		this.bySocket.set(ws, attachment)
	}
}

/** Forgets the socket's session and closes it; a socket already closing is only forgotten. */
export function withdrawSocket(ws: WebSocket, code: number, reason: string) {
	ws.serializeAttachment(null)
	try {
		ws.close(code, reason)
	} catch {
		// already closed
	}
}

/** The sessions of a room's open sockets (hibernation-safe: read from the attachments). */
export function liveSessions(ctx: Pick<DurableObjectState, 'getWebSockets'>): Array<{ sessionId: string; userId: string | null; isReadonly: boolean }> {
	return ctx.getWebSockets().flatMap((ws) => {
		const a = readAttachment(ws)
		return a && ws.readyState === WebSocket.OPEN ? [{ sessionId: a.sessionId, userId: a.userId, isReadonly: a.isReadonly }] : []
	})
}
