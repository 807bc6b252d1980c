import { DurableObject } from 'cloudflare:workers'
import { DurableObjectSqliteSyncWrapper, TLSyncErrorCloseEventCode, TLSyncErrorCloseEventReason, type RoomSnapshot, type TLSyncSqliteWrapper } from '@tldraw/sync-core'
import { schema } from '#schema'
import { getConfig, type Config } from '../src/config'
import type { Env } from '../src/env'
import { SessionGate } from '../src/room/SessionGate'
import { SchemaGaps } from '../src/room/SchemaGaps'
import { formatInvalidRecord, watchRecordValidation } from '../src/room/describeInvalidRecord'
import { AttachmentCache, liveSessions, readAttachment, type Attachment } from '../src/room/socketAttachment'
import { pushGrowthBound } from '../src/room/documentSize'
import { acceptSessionSocket, admitConnect, liveSocket, refuseSocket, withdrawSessions, withdrawUserSessions } from '../src/room/roomSockets'
import { CloseCode } from '../src/room/closeCodes'
import { decodeConnectRequest } from '../src/room/connectRequest'
import { RoomHistory } from '../src/room/RoomHistory'
import { RoomMetaStore, type VersionRow } from '../src/room/RoomMetaStore'
import { RoomObservers } from '../src/room/RoomObservers'
import { purgeRoomStorage } from '../src/room/purgeRoomStorage'
import { statsStub } from '../src/stubs'
import { getDocumentName, setDocumentName } from '../src/room/documentName'
import { openTldrawRoom, type LoadedRoom } from '../src/room/openTldrawRoom'
import { TL_TABLE_PREFIX } from '../src/room/readChanges'
import { cacheDocumentClock } from '../src/room/clockCachingSql'
import type { RecordChangeResult } from '../src/room/applyRecordChanges'
import { RoomDocumentApi, type RestoreResult } from '../src/room/RoomDocumentApi'
import { createR2ImportStore, type ImportStore } from '../src/room/ImportStore'
import { planFileChange, type FileFacts } from '../src/files/planFileChange'
import { importSnapshotKey, type RoomKey } from '../src/storage/keys'
import type { RoomAddress } from '../src/room/RoomAddress'
import { ApiError, ErrorCode, errorResponse } from '../src/http/errors'
import { createErrorReporter } from '../src/observability/reportError'
import { createR2SnapshotStore, type SnapshotStore } from '../src/storage/SnapshotStore'

// TLSyncRoom closes a bad push with INVALID_RECORD and drops the reason; the log names type and property.
watchRecordValidation(schema, (failure) => console.warn(`INVALID_RECORD: ${formatInvalidRecord(failure)}`))

/**
 * One tldraw room per file or anonymous room id. Thin host: sockets, hibernation, alarms. Decisions
 * (admission, frame checks, export policy) live in src/room and are tested there.
 */
export class RoomDurableObject extends DurableObject<Env> {
	private readonly config: Config
	private readonly meta: RoomMetaStore
	private readonly snapshots: SnapshotStore
	private readonly imports: ImportStore
	private roomPromise: Promise<LoadedRoom> | null = null
	private readonly gate: SessionGate
	private readonly gaps: SchemaGaps
	private readonly attachments = new AttachmentCache()
	private readonly sql: TLSyncSqliteWrapper
	private readonly history: RoomHistory
	/** Webhook events and stats reports; never on a push's path. */
	private readonly observers: RoomObservers
	private readonly documents: RoomDocumentApi
	/**
	 * Set by purge(): sockets closing afterwards must not bring the room back. A later instance knows it from
	 * the missing room key (purge deletes it), which every socket and alarm handler checks.
	 */
	private purged = false

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		this.config = getConfig(env)
		this.meta = new RoomMetaStore(ctx.storage.sql)
		this.gate = new SessionGate(this.config, schema.serialize())
		this.gaps = new SchemaGaps(ctx, schema.serialize(), this.sessionEnded)
		this.snapshots = createR2SnapshotStore(env.ROOMS, env.ROOM_HISTORY)
		this.imports = createR2ImportStore(env.SNAPSHOTS, importSnapshotKey)
		this.sql = cacheDocumentClock(new DurableObjectSqliteSyncWrapper(ctx.storage, { tablePrefix: TL_TABLE_PREFIX }))
		this.history = new RoomHistory({
			alarms: ctx.storage,
			meta: this.meta,
			snapshots: this.snapshots,
			sql: this.sql,
			persistIntervalMs: this.config.persistIntervalMs,
			report: (err, extra) => {
				this.observers.exportFailed()
				this.report(err, extra)
			},
			now: () => Date.now(),
			yieldToEvents: () => new Promise((resolve) => setTimeout(resolve, 0)),
		})
		this.observers = new RoomObservers({ ctx, config: this.config, meta: this.meta, queue: env.WEBHOOK_QUEUE, stats: statsStub(env) })
		this.documents = new RoomDocumentApi({ getRoom: (address) => this.getRoom(address), meta: this.meta, history: this.history, gaps: this.gaps, restored: (data) => this.observers.restored(data) })
		// Answered by the runtime without waking the object, so idle rooms with open sockets hibernate.
		ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'))
	}

	override async fetch(request: Request): Promise<Response> {
		const connect = decodeConnectRequest(request.headers.get('x-sync-connect'))
		if (!connect) return errorResponse(new ApiError(400, ErrorCode.BAD_REQUEST, 'bad connect request'))
		if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
			return errorResponse(new ApiError(426, ErrorCode.UPGRADE_REQUIRED, 'expected a WebSocket upgrade'))
		}
		const { address, refusal } = admitConnect(this.ctx, connect, this.meta.getRoomKey(), this.config.maxSessionsPerRoom)
		const { 0: client, 1: server } = new WebSocketPair()
		if (refusal) {
			refuseSocket(server, refusal)
			return new Response(null, { status: 101, webSocket: client })
		}

		const { room, storage } = await this.getRoom(address)
		if (connect.fileName !== undefined && getDocumentName(storage) !== connect.fileName) {
			setDocumentName(storage, connect.fileName)
		}
		acceptSessionSocket(this.ctx, room, server, connect, {
			joined: (attachment) => this.observers.sessionJoined(attachment),
			forget: this.forget,
		})
		return new Response(null, { status: 101, webSocket: client })
	}

	override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
		// A socket this object closed (replaced by a newer one, or withdrawn) never speaks for a session again.
		if (ws.readyState !== WebSocket.OPEN) return
		const attachment = this.attachments.of(ws)
		if (!attachment || this.isGone()) return ws.close(CloseCode.SERVICE_RESTART_CODE, 'session lost')
		// SessionGate is the room's per-message check (protocol schema, sizes, rates): keep it cheap.
		const verdict = this.gate.check(attachment.sessionId, message, { connected: attachment.connected === true })
		if (verdict.kind === 'wait') return
		if (verdict.kind === 'reject') {
			if (verdict.detail) console.warn(`${verdict.reason}: ${verdict.detail}`)
			return this.rejectFrame(ws, attachment.sessionId, verdict.code, verdict.reason)
		}
		let session = attachment
		if (verdict.message.type === 'connect') {
			const lacks = this.gaps.lacks(verdict.message.schema)
			session = { ...attachment, connected: true, ...(lacks && { lacks }) } satisfies Attachment
			this.attachments.update(ws, session)
		}
		const { room, size } = await this.getRoom()
		// Checked and applied in one synchronous step, so two pushes can never both take the last bytes.
		if (!size.fits(pushGrowthBound(verdict.message, verdict.text))) {
			return this.rejectFrame(ws, attachment.sessionId, TLSyncErrorCloseEventCode, CloseCode.DOCUMENT_TOO_LARGE)
		}
		if (!this.gaps.allows(session, verdict.message, room)) {
			return this.rejectFrame(ws, attachment.sessionId, TLSyncErrorCloseEventCode, TLSyncErrorCloseEventReason.CLIENT_TOO_OLD)
		}
		room.handleSocketMessage(attachment.sessionId, verdict.text)
		const warning = verdict.message.type === 'connect' && size.currentWarning()
		if (warning) room.sendCustomMessage(attachment.sessionId, warning)
	}

	private report(err: unknown, extra: Record<string, unknown>) {
		createErrorReporter({ dsn: this.config.sentryDsn, waitUntil: (p) => this.ctx.waitUntil(p), component: 'room' }).captureException(err, extra)
	}

	private async rejectFrame(ws: WebSocket, sessionId: string, code: number, reason: string) {
		this.forget(sessionId)
		// Close with our reason before the room drops the session (it would close with no code).
		ws.close(code, reason)
		const { room } = await this.getRoom()
		room.handleSocketClose(sessionId)
	}

	override async webSocketClose(ws: WebSocket, code: number) {
		await this.handleSocketGone(ws)
		// Echoing reserved codes (1005 no status, 1006 abnormal) throws; answer them with a plain 1000.
		try {
			ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, 'closing')
		} catch {
			// already closed
		}
	}

	override async webSocketError(ws: WebSocket) {
		await this.handleSocketGone(ws)
	}

	override async alarm() {
		this.history.onAlarm()
		if (this.isGone()) return
		await this.getRoom()
		await this.history.exportNow()
		await this.history.retainIfDue(this.openSockets().length === 0)
		await this.observers.alarm()
	}

	// ── Document and history API (the Worker calls these over RPC after it checked access) ──

	async listVersions(limit: number, beforeId?: number): Promise<VersionRow[]> {
		return this.documents.listVersions(limit, beforeId)
	}

	async versionChain(historyKey: string): Promise<string[] | null> {
		return this.documents.versionChain(historyKey)
	}

	async readSnapshot(address: RoomAddress): Promise<{ snapshot: RoomSnapshot; clock: number }> {
		return this.documents.readSnapshot(address)
	}

	async readMetadata(address: RoomAddress) {
		return this.documents.readMetadata(address)
	}

	async applyRecords(address: RoomAddress, change: { put: unknown[]; remove: string[]; expectedClock?: number }): Promise<RecordChangeResult> {
		return this.documents.applyRecords(address, change)
	}

	async restoreVersion(address: RoomAddress, historyKey: string): Promise<RestoreResult> {
		return this.documents.restoreVersion(address, historyKey)
	}

	/** Admin view: live sessions and recent versions (GET /app/admin/room/:roomKey). */
	async describe(roomKey: RoomKey) {
		return this.observers.describe(roomKey)
	}

	/** DELETE /app/me: closes every session (NOT_FOUND) and deletes the room's storage. Idempotent. */
	async purge(): Promise<void> {
		this.purged = true
		this.observers.stop()
		this.roomPromise = null
		await purgeRoomStorage(this.ctx)
	}

	/** DELETE /app/me of a guest: closes only that user's sessions. Never loads a room that is not loaded. */
	async closeUserSessions(userId: string): Promise<number> {
		const loaded = this.purged ? null : await this.roomPromise?.catch(() => null)
		return withdrawUserSessions(this.ctx, loaded?.room ?? null, userId, this.sessionEnded)
	}

	/** A session this object ended itself: its socket's close event will carry no attachment. */
	private readonly sessionEnded = (session: Attachment) => {
		this.forget(session.sessionId)
		this.observers.sessionLeft(session)
	}

	/** A session's in-memory state (assembly, push bucket, the types it lacks) is dropped. */
	private readonly forget = (sessionId: string) => {
		this.gate.forget(sessionId)
		this.gaps.forget(sessionId)
	}

	/** Purged, or never given a room key: there is no document to load. */
	private isGone(): boolean {
		return this.purged || !this.meta.getRoomKey()
	}

	private async handleSocketGone(ws: WebSocket) {
		const attachment = readAttachment(ws)
		if (this.isGone()) return
		// useSync reconnects with the same sessionId; a late close of the old socket must not end the new
		// session (a replaced or withdrawn socket has no attachment at all).
		if (attachment && !liveSocket(this.ctx, attachment.sessionId, ws)) {
			const { room } = await this.getRoom()
			this.forget(attachment.sessionId)
			room.handleSocketClose(attachment.sessionId)
			this.observers.sessionLeft(attachment)
		}
		if (this.openSockets(ws).length === 0) await this.history.schedule('last-session-left')
	}

	private openSockets(except?: WebSocket): WebSocket[] {
		return this.ctx.getWebSockets().filter((s) => s !== except && s.readyState === WebSocket.OPEN)
	}

	/**
	 * Live re-authorization (ARCHITECTURE.md §4): a file row changed, so sessions that lost access are closed,
	 * sessions whose access level changed rejoin (the Worker decides afresh), and the name follows.
	 * Idempotent, so a caller may retry it.
	 */
	async applyFileChange(before: FileFacts | null, after: FileFacts | null): Promise<{ closed: number; rejoined: number }> {
		// A room nobody ever opened has no sessions and no document to rename.
		if (this.isGone()) return { closed: 0, rejoined: 0 }
		const { room, storage } = await this.getRoom()
		const sessions = liveSessions(this.ctx)
		const plan = planFileChange(before, after, sessions, getDocumentName(storage))
		const result = withdrawSessions(this.ctx, room, plan.sessions, this.sessionEnded)
		if (plan.rename !== null) setDocumentName(storage, plan.rename)
		return result
	}

	/**
	 * Loads the room once per object lifetime (openTldrawRoom: DO SQLite, else R2 or the create source, else empty).
	 * The only place the room learns its key: from the first address a connect or an RPC call gives it
	 * (later calls, and connects by read-only slug, may give none).
	 */
	private getRoom(address?: RoomAddress): Promise<LoadedRoom> {
		// A purged room never loads again in this instance (its file is gone; the Worker answers 404 first).
		if (this.purged) return Promise.reject(new ApiError(404, ErrorCode.NOT_FOUND, 'this room was deleted'))
		if (address && !this.meta.getRoomKey()) this.meta.setRoomKey(address.roomKey)
		this.roomPromise ??= this.loadRoom(this.meta.getRoomKey(), address?.createSource ?? null).catch((err) => {
			this.roomPromise = null
			throw err
		})
		return this.roomPromise
	}

	private loadRoom(roomKey: RoomKey | null, createSource: string | null): Promise<LoadedRoom> {
		return openTldrawRoom({
			ctx: this.ctx,
			sql: this.sql,
			roomKey,
			createSource,
			snapshots: this.snapshots,
			imports: this.imports,
			maxDocumentBytes: this.config.maxDocumentBytes,
			changed: () => {
				void this.history.schedule('changed')
				this.observers.changed()
			},
			loaded: (storage) => this.observers.loaded(storage, this.sql),
			report: (err, extra) => this.report(err, extra),
		})
	}
}

