import { SQLiteSyncStorage, TLSocketRoom, type RoomSnapshot, type TLSyncSqliteWrapper } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { schema } from '#schema'
import type { RoomKey } from '../storage/keys'
import type { SnapshotStore } from '../storage/SnapshotStore'
import { DocumentSizeMeter } from './DocumentSizeMeter'
import type { ImportStore } from './ImportStore'
import { loadInitialSnapshot } from './loadInitialSnapshot'
import { liveSocket, resumeSockets } from './roomSockets'
import { readAttachment, type Attachment } from './socketAttachment'

export interface LoadedRoom {
	room: TLSocketRoom<TLRecord, void>
	storage: SQLiteSyncStorage<TLRecord>
	size: DocumentSizeMeter
}

export interface OpenRoomDeps {
	ctx: DurableObjectState
	sql: TLSyncSqliteWrapper
	roomKey: RoomKey | null
	createSource: string | null
	snapshots: SnapshotStore
	imports: ImportStore
	maxDocumentBytes: number
	/** Every committed change (schedules the export, marks the room dirty for webhooks). */
	changed(): void
	loaded(storage: SQLiteSyncStorage<TLRecord>): void
	report(err: unknown, extra: Record<string, unknown>): void
}

/**
 * Builds the room's TLSocketRoom once per object lifetime: from the DO's SQLite when it holds the document,
 * else from R2 or the file's create source, else empty; then resumes the sockets that outlived a hibernation.
 */
export async function openTldrawRoom(deps: OpenRoomDeps): Promise<LoadedRoom> {
	const { ctx, sql, roomKey } = deps
	let snapshot: RoomSnapshot | undefined
	if (!SQLiteSyncStorage.hasBeenInitialized(sql) && roomKey) {
		const initial = await loadInitialSnapshot({ roomKey, createSource: deps.createSource, snapshots: deps.snapshots, imports: deps.imports })
		snapshot = initial.snapshot
	}
	const storage = new SQLiteSyncStorage<TLRecord>({ sql, snapshot })
	storage.onChange(() => deps.changed())
	const room = new TLSocketRoom<TLRecord, void>({
		schema,
		storage,
		// Liveness is the client's job (pings); a timeout here would wake hibernated rooms to evict sessions.
		clientTimeout: Infinity,
		onSessionSnapshot: (sessionId, sessionSnapshot) => {
			const ws = liveSocket(ctx, sessionId)
			const attachment = ws && readAttachment(ws)
			if (attachment) ws.serializeAttachment({ ...attachment, snapshot: sessionSnapshot } satisfies Attachment)
		},
		log: {
			warn: (...args) => console.warn(...args),
			error: (...args) => {
				console.error(...args)
				deps.report(args.find((a) => a instanceof Error) ?? new Error(String(args[0])), { roomKey })
			},
		},
	})
	deps.loaded(storage)
	const size = new DocumentSizeMeter(ctx.storage.sql, deps.maxDocumentBytes)
	storage.onChange(() => {
		const notice = size.changedNotice()
		if (notice) for (const s of room.getSessions()) if (s.isConnected) room.sendCustomMessage(s.sessionId, notice)
	})
	// Sockets that outlived a hibernation come back into the room where they left off.
	resumeSockets(ctx, room)
	return { room, storage, size }
}
