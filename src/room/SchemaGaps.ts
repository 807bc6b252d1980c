import { TLSyncErrorCloseEventReason, type TLSocketRoom } from '@tldraw/sync-core'
import type { SerializedSchema } from '@tldraw/store'
import type { TLRecord } from '@tldraw/tlschema'
import type { ClientMessage } from './clientMessageSchema'
import { lackingRecordKinds, type RecordKind } from './decideClientSchema'
import { heldKinds, kindsOfPush } from './recordKinds'
import { withdrawSessions } from './roomSockets'
import { readAttachment, type Attachment } from './socketAttachment'

const { CLIENT_TOO_OLD } = TLSyncErrorCloseEventReason

/**
 * Sessions whose client lacks a shape or binding type of this server's schema (a stock tldraw client has
 * no card): tldraw would send them records of that type anyway, and their store would crash on it. Such a
 * client is refused (CLIENT_TOO_OLD) at connect while the room holds a record of a type it lacks, and
 * closed with the same reason before a change that brings one is applied, so it never receives one.
 *
 * The sessions live in memory; each socket's attachment keeps its `lacks`, so the set is rebuilt after a
 * hibernation when first needed. With no such session connected (the common case) a change costs one
 * size check, and a client with the full schema never causes a query.
 */
export class SchemaGaps {
	/** sessionId → the kinds it lacks; null until first needed in this object's lifetime. */
	private lacking: Map<string, ReadonlySet<string>> | null = null

	constructor(
		private readonly ctx: DurableObjectState,
		private readonly serverSchema: SerializedSchema,
		/** A session this closed: its socket's close event will carry no attachment. */
		private readonly ended: (session: Attachment) => void,
		private readonly log: (line: string) => void = (line) => console.warn(line),
	) {}

	/** What a connecting client lacks, for its attachment (cheap and pure: every connect runs it). */
	lacks(clientSchema: unknown): RecordKind[] | undefined {
		const kinds = lackingRecordKinds(clientSchema, this.serverSchema)
		return kinds.length > 0 ? kinds : undefined
	}

	/**
	 * Whether the room may take this message from `session` (whose attachment carries `lacks` since its
	 * connect), run with the room loaded, right before the message is applied. A connect is refused when the
	 * client lacks a kind the room holds (one SQLite query, logged); a push bringing a kind the pusher itself
	 * lacks is refused, and one bringing a kind other sessions lack closes those sessions first. On false the
	 * caller closes `session` with CLIENT_TOO_OLD and does not apply the message.
	 */
	allows(session: Attachment, message: ClientMessage, room: TLSocketRoom<TLRecord, void>): boolean {
		if (message.type === 'connect') return this.admit(session.sessionId, session.lacks)
		if (message.type !== 'push' || this.sessions().size === 0) return true
		const kinds = kindsOfPush(message.diff)
		const own = this.sessions().get(session.sessionId)
		if (own && [...kinds].some((kind) => own.has(kind))) return false
		this.closeLacking(room, 'a push', () => kinds)
		return true
	}

	/**
	 * Before a change other than a push is applied (a records-API put, a restore): closes with CLIENT_TOO_OLD
	 * every session lacking a kind among `kindsOf()`, which is only called when some session lacks a kind.
	 */
	closeLacking(room: TLSocketRoom<TLRecord, void>, source: string, kindsOf: () => ReadonlySet<RecordKind>): void {
		const sessions = this.sessions()
		if (sessions.size === 0) return
		const kinds = kindsOf()
		const brought = new Set<RecordKind>()
		const closing: string[] = []
		for (const [sessionId, lacks] of sessions) {
			const missing = [...kinds].filter((kind) => lacks.has(kind))
			if (missing.length === 0) continue
			missing.forEach((kind) => brought.add(kind))
			closing.push(sessionId)
			sessions.delete(sessionId)
		}
		if (closing.length === 0) return
		withdrawSessions(this.ctx, room, closing.map((sessionId) => ({ sessionId, decision: { kind: 'close', reason: CLIENT_TOO_OLD } })), this.ended)
		const plural = closing.length === 1 ? '' : 's'
		this.log(`${CLIENT_TOO_OLD}: closed ${closing.length} session${plural} lacking ${[...brought].join(', ')} before ${source} brought it`)
	}

	/** A session that ended (or a socket replaced by a newer one, which connects afresh). */
	forget(sessionId: string) {
		this.lacking?.delete(sessionId)
	}

	private admit(sessionId: string, lacks: readonly string[] | undefined): boolean {
		const sessions = this.sessions()
		sessions.delete(sessionId)
		if (!lacks?.length) return true
		const held = heldKinds(this.ctx.storage.sql, lacks)
		if (held.length > 0) {
			this.log(`${CLIENT_TOO_OLD}: the client lacks ${lacks.join(', ')}; the room holds ${held.join(', ')}`)
			return false
		}
		sessions.set(sessionId, new Set(lacks))
		return true
	}

	/** The sessions lacking some kind, rebuilt from the open sockets' attachments after a wake. */
	private sessions(): Map<string, ReadonlySet<string>> {
		if (!this.lacking) {
			this.lacking = new Map()
			for (const ws of this.ctx.getWebSockets()) {
				const attachment = ws.readyState === WebSocket.OPEN ? readAttachment(ws) : null
				if (attachment?.connected && attachment.lacks?.length) this.lacking.set(attachment.sessionId, new Set(attachment.lacks))
			}
		}
		return this.lacking
	}
}
