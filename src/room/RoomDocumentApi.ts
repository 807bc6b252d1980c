import { loadSnapshotIntoStorage, type RoomSnapshot } from '@tldraw/sync-core'
import { schema } from '#schema'
import { applyRecordChanges, type RecordChangeResult } from './applyRecordChanges'
import { recordsBytes } from './documentSize'
import type { LoadedRoom } from './openTldrawRoom'
import type { RoomAddress } from './RoomAddress'
import type { RoomHistory } from './RoomHistory'
import type { RoomMetaStore, VersionRow } from './RoomMetaStore'
import { kindsOfRecords } from './recordKinds'
import type { SchemaGaps } from './SchemaGaps'

export interface RoomDocumentDeps {
	getRoom(address?: RoomAddress): Promise<LoadedRoom>
	meta: Pick<RoomMetaStore, 'listVersions'>
	history: Pick<RoomHistory, 'versionChain' | 'readVersion' | 'exportNow'>
	/** Closes sessions whose client cannot represent a record the change brings, before it is applied. */
	gaps: Pick<SchemaGaps, 'closeLacking'>
	restored(data: { version: string; clock: number; newVersion: string | null }): void
}

export type RestoreResult = { found: false } | { found: true; clock: number; newVersionKey: string | null }

/**
 * The document and history API of one room (records, metadata, versions, restore), called by the Worker
 * over RPC after it checked access. The Durable Object only forwards to it.
 */
export class RoomDocumentApi {
	constructor(private readonly deps: RoomDocumentDeps) {}

	listVersions(limit: number, beforeId?: number): VersionRow[] {
		return this.deps.meta.listVersions(limit, beforeId)
	}

	/** The R2 objects a version is rebuilt from (see RoomHistory), or null when there is no such version. */
	versionChain(historyKey: string): string[] | null {
		return this.deps.history.versionChain(historyKey)
	}

	async readSnapshot(address: RoomAddress): Promise<{ snapshot: RoomSnapshot; clock: number }> {
		const { storage } = await this.deps.getRoom(address)
		return { snapshot: storage.getSnapshot(), clock: storage.getClock() }
	}

	async readMetadata(address: RoomAddress) {
		const { room, storage, size } = await this.deps.getRoom(address)
		const versions = this.deps.meta.listVersions(1)
		return {
			clock: storage.getClock(),
			sessions: room.getNumActiveSessions(),
			bytes: size.bytes(),
			lastExportedAt: versions[0] ? new Date(versions[0].createdAt).toISOString() : null,
		}
	}

	async applyRecords(address: RoomAddress, change: { put: unknown[]; remove: string[]; expectedClock?: number }): Promise<RecordChangeResult> {
		const { room, storage, size } = await this.deps.getRoom(address)
		// Checked and applied in one synchronous step, like a push (DocumentSizeMeter).
		if (!size.fits(recordsBytes(change.put))) return { kind: 'too-large', maxBytes: size.maxBytes }
		return applyRecordChanges(storage, schema, change, (records) => this.deps.gaps.closeLacking(room, 'a records-API put', () => kindsOfRecords(records)))
	}

	/**
	 * Brings the document back to a stored version. Live clients receive the difference as an ordinary
	 * change (no reload), and the result is exported at once as a new version, so a restore is undoable.
	 */
	async restoreVersion(address: RoomAddress, historyKey: string): Promise<RestoreResult> {
		const snapshot = await this.deps.history.readVersion(historyKey)
		if (snapshot === null) return { found: false }
		const { room, storage } = await this.deps.getRoom(address)
		this.deps.gaps.closeLacking(room, 'a restore', () => kindsOfRecords(snapshot.documents.map((d) => d.state)))
		storage.transaction((txn) => loadSnapshotIntoStorage(txn, schema, snapshot))
		const result = { found: true as const, clock: storage.getClock(), newVersionKey: await this.deps.history.exportNow() }
		this.deps.restored({ version: historyKey, clock: result.clock, newVersion: result.newVersionKey })
		return result
	}
}
