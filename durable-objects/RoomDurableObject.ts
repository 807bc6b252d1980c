import { DurableObject } from 'cloudflare:workers'
import {
	DurableObjectSqliteSyncWrapper,
	loadSnapshotIntoStorage,
	SQLiteSyncStorage,
	TLSocketRoom,
	TLSyncErrorCloseEventCode,
	type RoomSnapshot,
} from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { schema } from '#schema'
import { getConfig, type Config } from '../src/config'
import type { Env } from '../src/env'
import { SessionGate } from '../src/room/SessionGate'
import { formatInvalidRecord, watchRecordValidation } from '../src/room/describeInvalidRecord'
import { liveSessions, readAttachment, type Attachment } from '../src/room/socketAttachment'
import { CloseCode } from '../src/room/closeCodes'
import { decodeConnectRequest } from '../src/room/connectRequest'
import { decideAdmission } from '../src/room/decideAdmission'
import { RoomHistory } from '../src/room/RoomHistory'
import { RoomMetaStore } from '../src/room/RoomMetaStore'
import { RoomObservers } from '../src/room/RoomObservers'
import { purgeRoomStorage } from '../src/room/purgeRoomStorage'
import { statsStub } from '../src/stubs'
import { getDocumentName, setDocumentName } from '../src/room/documentName'
import { loadInitialSnapshot } from '../src/room/loadInitialSnapshot'
import { TL_TABLE_PREFIX } from '../src/room/readChanges'
import { applyRecordChanges, type RecordChangeResult } from '../src/room/applyRecordChanges'
import type { VersionRow } from '../src/room/RoomMetaStore'
import { createR2ImportStore, type ImportStore } from '../src/room/ImportStore'
import { planFileChange, type FileFacts } from '../src/files/planFileChange'
import { importSnapshotKey, type RoomKey } from '../src/storage/keys'
import type { RoomAddress } from '../src/room/RoomAddress'
import { ApiError, ErrorCode, errorResponse } from '../src/http/errors'
import { createErrorReporter } from '../src/observability/reportError'
import { createR2SnapshotStore, type SnapshotStore } from '../src/storage/SnapshotStore'

// TLSyncRoom closes a bad push with INVALID_RECORD and drops the reason; the log names type and property.
watchRecordValidation(schema, (failure) => console.warn(`INVALID_RECORD: ${formatInvalidRecord(failure)}`))

interface LoadedRoom {
	room: TLSocketRoom<TLRecord, void>
	storage: SQLiteSyncStorage<TLRecord>
}


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
	private readonly sessionBySocket = new WeakMap<WebSocket, Attachment>()
	private readonly sql: DurableObjectSqliteSyncWrapper
	private readonly history: RoomHistory
	/** Webhook events and stats reports; never on a push's path. */
	private readonly observers: RoomObservers
	/** Set by purge(): sockets closing afterwards must not bring the room back. */
	private purged = false

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		this.config = getConfig(env)
		this.meta = new RoomMetaStore(ctx.storage.sql)
		this.gate = new SessionGate(this.config, schema.serialize())
		this.snapshots = createR2SnapshotStore(env.ROOMS, env.ROOM_HISTORY)
		this.imports = createR2ImportStore(env.SNAPSHOTS, importSnapshotKey)
		this.sql = new DurableObjectSqliteSyncWrapper(ctx.storage, { tablePrefix: TL_TABLE_PREFIX })
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
		// Answered by the runtime without waking the object, so idle rooms with open sockets hibernate.
		ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'))
	}

	override async fetch(request: Request): Promise<Response> {
		const connect = decodeConnectRequest(request.headers.get('x-sync-connect'))
		if (!connect) return errorResponse(new ApiError(400, ErrorCode.BAD_REQUEST, 'bad connect request'))
		if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
			return errorResponse(new ApiError(426, ErrorCode.UPGRADE_REQUIRED, 'expected a WebSocket upgrade'))
		}
		// A connect by read-only slug carries no address: the room must already know its own.
		const address: RoomAddress | undefined = connect.roomKey ? { roomKey: connect.roomKey, createSource: connect.createSource ?? null } : undefined
		const roomKey = this.meta.getRoomKey() ?? address?.roomKey ?? null

		const { 0: client, 1: server } = new WebSocketPair()
		const decision = decideAdmission({
			roomKey,
			viaReadonlySlug: !connect.roomKey,
			connectedSessions: this.ctx.getWebSockets().length,
			maxSessions: this.config.maxSessionsPerRoom,
		})
		if (decision.kind === 'deny') {
			// Accept outside hibernation so the refused socket never counts as a session, then close it with
			// tldraw's fatal code so useSync shows the reason instead of retrying.
			server.accept()
			server.close(TLSyncErrorCloseEventCode, decision.reason)
			return new Response(null, { status: 101, webSocket: client })
		}

		const { room, storage } = await this.getRoom(address)
		if (connect.fileName !== undefined && getDocumentName(storage) !== connect.fileName) {
			setDocumentName(storage, connect.fileName)
		}
		const attachment: Attachment = { sessionId: connect.sessionId, isReadonly: connect.isReadonly, userId: connect.userId }
		// A reconnect of a session whose old socket is still open is the same session, not a new one.
		if (!this.liveSocket(connect.sessionId)) this.observers.sessionJoined(attachment)
		this.ctx.acceptWebSocket(server, [connect.sessionId])
		server.serializeAttachment(attachment)
		room.handleSocketConnect({ sessionId: connect.sessionId, socket: server, isReadonly: connect.isReadonly })
		return new Response(null, { status: 101, webSocket: client })
	}

	override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
		const attachment = this.sessionOf(ws)
		if (!attachment || this.purged) return ws.close(CloseCode.SERVICE_RESTART_CODE, 'session lost')
		const verdict = this.gate.check(attachment.sessionId, message)
		if (verdict.kind === 'reject') {
			if (verdict.detail) console.warn(`${verdict.reason}: ${verdict.detail}`)
			return this.rejectFrame(ws, attachment.sessionId, verdict.code, verdict.reason)
		}
		const { room } = await this.getRoom()
		room.handleSocketMessage(attachment.sessionId, verdict.text)
	}

	/** A socket's attachment, deserialized and checked once per socket while the object lives, not per message. */
	private sessionOf(ws: WebSocket): Attachment | null {
		let attachment = this.sessionBySocket.get(ws)
		if (!attachment) {
			attachment = readAttachment(ws) ?? undefined
			if (attachment) this.sessionBySocket.set(ws, attachment)
		}
		return attachment ?? null
	}

	private report(err: unknown, extra: Record<string, unknown>) {
		createErrorReporter({ dsn: this.config.sentryDsn, waitUntil: (p) => this.ctx.waitUntil(p), component: 'room' }).captureException(err, extra)
	}

	private async rejectFrame(ws: WebSocket, sessionId: string, code: number, reason: string) {
		this.gate.forget(sessionId)
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
		if (this.purged || !this.meta.getRoomKey()) return
		await this.getRoom()
		await this.history.exportNow()
		await this.history.retainIfDue(this.openSockets().length === 0)
		await this.observers.alarm()
	}

	// ── Document and history API (called by the Worker over RPC after it checked access) ──

	async listVersions(limit: number, beforeId?: number): Promise<VersionRow[]> {
		return this.meta.listVersions(limit, beforeId)
	}

	/** The R2 objects a version is rebuilt from (see RoomHistory), or null when there is no such version. */
	async versionChain(historyKey: string): Promise<string[] | null> {
		return this.history.versionChain(historyKey)
	}

	async readSnapshot(address: RoomAddress): Promise<{ snapshot: RoomSnapshot; clock: number }> {
		const { storage } = await this.getRoom(address)
		return { snapshot: storage.getSnapshot(), clock: storage.getClock() }
	}

	async readMetadata(address: RoomAddress) {
		const { room, storage } = await this.getRoom(address)
		const versions = this.meta.listVersions(1)
		return {
			clock: storage.getClock(),
			sessions: room.getNumActiveSessions(),
			bytes: new TextEncoder().encode(JSON.stringify(storage.getSnapshot())).byteLength,
			lastExportedAt: versions[0] ? new Date(versions[0].createdAt).toISOString() : null,
		}
	}

	async applyRecords(address: RoomAddress, change: { put: unknown[]; remove: string[]; expectedClock?: number }): Promise<RecordChangeResult> {
		const { storage } = await this.getRoom(address)
		return applyRecordChanges(storage, schema, change)
	}

	/**
	 * Brings the document back to a stored version. Live clients receive the difference as an ordinary
	 * change (no reload), and the result is exported at once as a new version, so a restore is undoable.
	 */
	async restoreVersion(
		address: RoomAddress,
		historyKey: string,
	): Promise<{ found: false } | { found: true; clock: number; newVersionKey: string | null }> {
		const snapshot = await this.history.readVersion(historyKey)
		if (snapshot === null) return { found: false }
		const { storage } = await this.getRoom(address)
		storage.transaction((txn) => loadSnapshotIntoStorage(txn, schema, snapshot))
		const result = { found: true as const, clock: storage.getClock(), newVersionKey: await this.history.exportNow() }
		this.observers.restored({ version: historyKey, clock: result.clock, newVersion: result.newVersionKey })
		return result
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

	private async handleSocketGone(ws: WebSocket) {
		const attachment = readAttachment(ws)
		if (!attachment || this.purged) return
		const { room } = await this.getRoom()
		// useSync reconnects with the same sessionId; a late close of the old socket must not end the new session.
		if (!this.liveSocket(attachment.sessionId, ws)) {
			this.gate.forget(attachment.sessionId)
			room.handleSocketClose(attachment.sessionId)
			this.observers.sessionLeft(attachment)
		}
		if (this.openSockets(ws).length === 0) await this.history.schedule('last-session-left')
	}

	private openSockets(except?: WebSocket): WebSocket[] {
		return this.ctx.getWebSockets().filter((s) => s !== except && s.readyState === WebSocket.OPEN)
	}

	/** The open socket of `sessionId` other than `except`, newest first. */
	private liveSocket(sessionId: string, except?: WebSocket): WebSocket | undefined {
		return this.ctx
			.getWebSockets(sessionId)
			.filter((s) => s !== except && s.readyState === WebSocket.OPEN)
			.at(-1)
	}

	/**
	 * Live re-authorization (ARCHITECTURE.md §4): a file row changed, so sessions that lost access are closed,
	 * sessions whose access level changed rejoin (the Worker decides afresh), and the name follows.
	 * Idempotent, so a caller may retry it.
	 */
	async applyFileChange(before: FileFacts | null, after: FileFacts | null): Promise<{ closed: number; rejoined: number }> {
		// A room nobody ever opened has no sessions and no document to rename.
		if (!this.meta.getRoomKey()) return { closed: 0, rejoined: 0 }
		const { room, storage } = await this.getRoom()
		const sessions = liveSessions(this.ctx)
		const plan = planFileChange(before, after, sessions, getDocumentName(storage))
		let closed = 0
		let rejoined = 0
		for (const { sessionId, decision } of plan.sessions) {
			if (decision.kind === 'close') {
				room.closeSession(sessionId, decision.reason)
				closed++
			} else {
				// No fatal reason: the client reconnects at once and the Worker grants the new access level.
				room.closeSession(sessionId)
				rejoined++
			}
		}
		if (plan.rename !== null) setDocumentName(storage, plan.rename)
		return { closed, rejoined }
	}

	/**
	 * Loads the room once per object lifetime: DO SQLite, else R2 or the file's create source, else empty.
	 * The only place the room learns its key: from the first address a connect or an RPC call gives it
	 * (later calls, and connects by read-only slug, may give none).
	 */
	private getRoom(address?: RoomAddress): Promise<LoadedRoom> {
		if (address && !this.meta.getRoomKey()) this.meta.setRoomKey(address.roomKey)
		this.roomPromise ??= this.loadRoom(this.meta.getRoomKey(), address?.createSource ?? null).catch((err) => {
			this.roomPromise = null
			throw err
		})
		return this.roomPromise
	}

	private async loadRoom(roomKey: RoomKey | null, createSource: string | null): Promise<LoadedRoom> {
		const sql = this.sql
		let snapshot: RoomSnapshot | undefined
		if (!SQLiteSyncStorage.hasBeenInitialized(sql) && roomKey) {
			const initial = await loadInitialSnapshot({ roomKey, createSource, snapshots: this.snapshots, imports: this.imports })
			snapshot = initial.snapshot
		}
		const storage = new SQLiteSyncStorage<TLRecord>({ sql, snapshot })
		storage.onChange(() => {
			void this.history.schedule('changed')
			this.observers.changed()
		})
		const room = new TLSocketRoom<TLRecord, void>({
			schema,
			storage,
			// Liveness is the client's job (pings); a timeout here would wake hibernated rooms to evict sessions.
			clientTimeout: Infinity,
			onSessionSnapshot: (sessionId, sessionSnapshot) => {
				const ws = this.liveSocket(sessionId)
				const attachment = ws && readAttachment(ws)
				if (attachment) ws.serializeAttachment({ ...attachment, snapshot: sessionSnapshot } satisfies Attachment)
			},
			log: {
				warn: (...args) => console.warn(...args),
				error: (...args) => {
					console.error(...args)
					this.report(args.find((a) => a instanceof Error) ?? new Error(String(args[0])), { roomKey })
				},
			},
		})
		this.observers.loaded(storage, this.sql)
		// Sockets that outlived a hibernation come back into the room where they left off.
		for (const ws of this.ctx.getWebSockets()) {
			const attachment = readAttachment(ws)
			if (attachment?.snapshot) {
				room.handleSocketResume({ sessionId: attachment.sessionId, socket: ws, snapshot: attachment.snapshot })
			} else {
				ws.close(CloseCode.SERVICE_RESTART_CODE, 'room restarted, please reconnect')
			}
		}
		return { room, storage }
	}
}

