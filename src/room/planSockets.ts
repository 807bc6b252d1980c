import type { SessionStateSnapshot } from '@tldraw/sync-core'
import type { Attachment } from './socketAttachment'

/** One of the Durable Object's sockets as the planners see it, in `ctx.getWebSockets()` order (oldest first). */
export interface SocketFacts {
	attachment: Attachment | null
	open: boolean
}

export type ResumeStep = { kind: 'resume'; sessionId: string; snapshot: SessionStateSnapshot } | { kind: 'close' } | { kind: 'ignore' }

/**
 * After hibernation, which sockets come back into the room. Only an open socket whose attachment still
 * holds a session snapshot resumes, and only the newest one per sessionId (an older twin is closed);
 * a socket whose access was withdrawn has no attachment and is never revived. The access level resumed
 * is the one the Worker granted at connect (the attachment's), not whatever the snapshot says.
 */
export function planResume(sockets: readonly SocketFacts[]): ResumeStep[] {
	const newest = new Map<string, number>()
	sockets.forEach((s, i) => {
		if (s.open && s.attachment?.snapshot) newest.set(s.attachment.sessionId, i)
	})
	return sockets.map((s, i): ResumeStep => {
		if (!s.open) return { kind: 'ignore' }
		const a = s.attachment
		if (a?.snapshot && newest.get(a.sessionId) === i) {
			return { kind: 'resume', sessionId: a.sessionId, snapshot: { ...a.snapshot, isReadonly: a.isReadonly } }
		}
		return { kind: 'close' }
	})
}

/** How many sessions a new socket for `sessionId` competes with: open sockets with a session, its own older socket excluded. */
export function countOtherSessions(sockets: readonly SocketFacts[], sessionId: string): number {
	const ids = new Set<string>()
	for (const s of sockets) if (s.open && s.attachment && s.attachment.sessionId !== sessionId) ids.add(s.attachment.sessionId)
	return ids.size
}
