import type { RoomSnapshot } from '@tldraw/sync-core'
import { parseCreateSource } from '../files/createSource'
import type { ImportStore } from '../files/ImportStore'
import type { SnapshotStore } from '../storage/SnapshotStore'
import { roomKeyForFile, type RoomKey } from '../storage/keys'
import { parseRoomSnapshot } from './parseRoomSnapshot'

export type InitialSource = 'r2-latest' | 'import' | 'duplicate' | 'empty'

/**
 * A room with no SQLite state starts from (DESIGN §3): the latest R2 export, else the file's create
 * source (an uploaded document, or the latest export of the file it duplicates), else an empty document.
 */
export async function loadInitialSnapshot(opts: {
	roomKey: RoomKey
	createSource: string | null
	snapshots: SnapshotStore
	imports: ImportStore
}): Promise<{ source: InitialSource; snapshot: RoomSnapshot | undefined }> {
	const latest = await opts.snapshots.getLatest(opts.roomKey)
	if (latest !== null) return { source: 'r2-latest', snapshot: parseRoomSnapshot(latest) }
	const createSource = parseCreateSource(opts.createSource)
	if (!createSource || !opts.roomKey.startsWith('file:')) return { source: 'empty', snapshot: undefined }
	switch (createSource.kind) {
		case 'import': {
			const snapshot = await opts.imports.getImport(opts.roomKey.slice('file:'.length))
			return snapshot ? { source: 'import', snapshot } : { source: 'empty', snapshot: undefined }
		}
		case 'duplicate': {
			const json = await opts.snapshots.getLatest(roomKeyForFile(createSource.fileId))
			return json ? { source: 'duplicate', snapshot: parseRoomSnapshot(json) } : { source: 'empty', snapshot: undefined }
		}
	}
}
