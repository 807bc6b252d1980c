import type { SessionStateSnapshot } from '@tldraw/sync-core'
import { z } from 'zod'

/** What survives hibernation on each room socket. `snapshot` lets the room resume the session in place. */
const AttachmentSchema = z.object({
	sessionId: z.string(),
	isReadonly: z.boolean(),
	userId: z.string().nullable(),
	snapshot: z.custom<SessionStateSnapshot>((v) => typeof v === 'object' && v !== null).optional(),
})
export type Attachment = z.infer<typeof AttachmentSchema>

export function readAttachment(ws: WebSocket): Attachment | null {
	const parsed = AttachmentSchema.safeParse(ws.deserializeAttachment())
	return parsed.success ? parsed.data : null
}

/** The sessions of a room's open sockets (hibernation-safe: read from the attachments). */
export function liveSessions(ctx: Pick<DurableObjectState, 'getWebSockets'>): Array<{ sessionId: string; userId: string | null; isReadonly: boolean }> {
	return ctx.getWebSockets().flatMap((ws) => {
		const a = readAttachment(ws)
		return a && ws.readyState === WebSocket.OPEN ? [{ sessionId: a.sessionId, userId: a.userId, isReadonly: a.isReadonly }] : []
	})
}
