import { TLSyncErrorCloseEventCode, TLSyncErrorCloseEventReason, type TLSocketRoom } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import type { SessionChangeDecision } from '../files/decideRoomAccess'
import { CloseCode } from './closeCodes'
import type { ConnectRequest } from './connectRequest'
import { decideAdmission } from './decideAdmission'
import { countOtherSessions, planResume, type SocketFacts } from './planSockets'
import type { RoomAddress } from './RoomAddress'
import type { RoomKey } from '../storage/keys'
import { liveSessions, readAttachment, withdrawSocket, type Attachment } from './socketAttachment'

/**
 * The room's bookkeeping over the Durable Object's own sockets (`ctx.getWebSockets()`, tagged by
 * sessionId), which outlive the in-memory TLSocketRoom across hibernation. Decisions are in planSockets.
 */

export function socketFacts(sockets: WebSocket[]): SocketFacts[] {
	return sockets.map((ws) => ({ attachment: readAttachment(ws), open: ws.readyState === WebSocket.OPEN }))
}

/** The open socket of `sessionId` other than `except`, newest first. */
export function liveSocket(ctx: DurableObjectState, sessionId: string, except?: WebSocket): WebSocket | undefined {
	return ctx
		.getWebSockets(sessionId)
		.filter((s) => s !== except && s.readyState === WebSocket.OPEN)
		.at(-1)
}

/**
 * The room's first answer to a connect: its address (none for a connect by read-only slug, whose room must
 * already know its own key) and, when decideAdmission denies it, the close reason.
 */
export function admitConnect(
	ctx: DurableObjectState,
	connect: ConnectRequest,
	storedRoomKey: RoomKey | null,
	maxSessions: number,
): { address: RoomAddress | undefined; refusal: string | null } {
	const address: RoomAddress | undefined = connect.roomKey ? { roomKey: connect.roomKey, createSource: connect.createSource ?? null } : undefined
	const decision = decideAdmission({
		roomKey: storedRoomKey ?? address?.roomKey ?? null,
		viaReadonlySlug: !connect.roomKey,
		connectedSessions: countOtherSessions(socketFacts(ctx.getWebSockets()), connect.sessionId),
		maxSessions,
		role: connect.isOwner ? 'owner' : connect.isReadonly ? 'reader' : 'editor',
	})
	return { address, refusal: decision.kind === 'deny' ? decision.reason : null }
}

/**
 * Answers a refused connect: accepted outside hibernation so the socket never counts as a session, then closed
 * with tldraw's fatal code so useSync shows the reason instead of retrying.
 */
export function refuseSocket(server: WebSocket, reason: string) {
	server.accept()
	server.close(TLSyncErrorCloseEventCode, reason)
}

/**
 * Admits an accepted connect: one socket per sessionId, so a reconnect (or a twin opened to outlive a
 * revocation) replaces the older socket, which loses its attachment so it is never resumed or heard again.
 * A reconnect of a session whose old socket is still open is the same session, not a new one (`joined`
 * is not called for it).
 */
export function acceptSessionSocket(
	ctx: DurableObjectState,
	room: TLSocketRoom<TLRecord, void>,
	server: WebSocket,
	connect: Pick<ConnectRequest, 'sessionId' | 'isReadonly' | 'userId'>,
	hooks: { joined(attachment: Attachment): void; forget(sessionId: string): void },
) {
	const attachment: Attachment = { sessionId: connect.sessionId, isReadonly: connect.isReadonly, userId: connect.userId }
	if (!liveSocket(ctx, connect.sessionId)) hooks.joined(attachment)
	for (const old of ctx.getWebSockets(connect.sessionId)) withdrawSocket(old, TLSyncErrorCloseEventCode, CloseCode.SESSION_REPLACED)
	hooks.forget(connect.sessionId)
	ctx.acceptWebSocket(server, [connect.sessionId])
	server.serializeAttachment(attachment)
	room.handleSocketConnect({ sessionId: connect.sessionId, socket: server, isReadonly: connect.isReadonly })
}

/** After hibernation: sockets that may resume rejoin the room where they left off; the rest reconnect. */
export function resumeSockets(ctx: DurableObjectState, room: TLSocketRoom<TLRecord, void>) {
	const sockets = ctx.getWebSockets()
	planResume(socketFacts(sockets)).forEach((step, i) => {
		if (step.kind === 'resume') room.handleSocketResume({ sessionId: step.sessionId, socket: sockets[i]!, snapshot: step.snapshot })
		else if (step.kind === 'close') sockets[i]!.close(CloseCode.SERVICE_RESTART_CODE, 'room restarted, please reconnect')
	})
}

/**
 * Ends or re-admits sessions whose access changed, by the object's own sockets, not only the room's
 * session map: every socket carrying the session loses its attachment, so no twin survives to be resumed
 * after hibernation. Without a fatal reason the client reconnects at once and the Worker decides afresh.
 * `ended` is called once per session that had an open socket (its close event carries no attachment).
 * `room` is null when the room is not loaded (hibernated): the sockets alone carry the sessions then.
 */
export function withdrawSessions(
	ctx: DurableObjectState,
	room: TLSocketRoom<TLRecord, void> | null,
	sessions: ReadonlyArray<{ sessionId: string; decision: Exclude<SessionChangeDecision, { kind: 'keep' }> }>,
	ended: (session: Attachment) => void,
): { closed: number; rejoined: number } {
	const done = new Set<string>()
	let closed = 0
	let rejoined = 0
	for (const { sessionId, decision } of sessions) {
		if (done.has(sessionId)) continue
		done.add(sessionId)
		const fatal = decision.kind === 'close' ? decision.reason : undefined
		room?.closeSession(sessionId, fatal)
		const live = liveSocket(ctx, sessionId)
		const session = live && readAttachment(live)
		for (const ws of ctx.getWebSockets(sessionId)) {
			withdrawSocket(ws, fatal ? TLSyncErrorCloseEventCode : CloseCode.SERVICE_RESTART_CODE, fatal ?? 'access changed, please reconnect')
		}
		if (session) ended(session)
		if (fatal) closed++
		else rejoined++
	}
	return { closed, rejoined }
}

/**
 * DELETE /app/me of a user who has sessions in someone else's room: every socket of `userId` closes with
 * NOT_AUTHENTICATED (the account no longer exists; the same reason a new connect with their token gets)
 * and loses its attachment, so a resume after hibernation never revives it. Other sessions and the
 * document are untouched. Returns how many sessions ended; idempotent.
 */
export function withdrawUserSessions(
	ctx: DurableObjectState,
	room: TLSocketRoom<TLRecord, void> | null,
	userId: string,
	ended: (session: Attachment) => void,
): number {
	const reason = TLSyncErrorCloseEventReason.NOT_AUTHENTICATED
	const sessions = liveSessions(ctx)
		.filter((s) => s.userId === userId)
		.map((s) => ({ sessionId: s.sessionId, decision: { kind: 'close', reason } as const }))
	return withdrawSessions(ctx, room, sessions, ended).closed
}
