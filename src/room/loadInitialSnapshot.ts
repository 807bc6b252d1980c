import type { RoomSnapshot } from '@tldraw/sync-core'
import { parseCreateSource } from './createSource'
import type { ImportStore } from './ImportStore'
import type { SnapshotStore } from '../storage/SnapshotStore'
import { roomKeyForFile, type RoomKey } from '../storage/keys'
import { readLatestSnapshot } from './readHistory'

export type InitialSource = 'r2-latest' | 'import' | 'duplicate' | 'empty'

/**
 * A room with no SQLite state starts from (README "Storage"): the newest version in R2 history, else
 * the file's create source (an uploaded document, or the newest version of the file it duplicates), else an
 * empty document.
 */
export async function loadInitialSnapshot(opts: {
	roomKey: RoomKey
	createSource: string | null
	snapshots: SnapshotStore
	imports: ImportStore
}): Promise<{ source: InitialSource; snapshot: RoomSnapshot | undefined }> {
	const latest = await readLatestSnapshot(opts.snapshots, opts.roomKey)
	if (latest !== null) return { source: 'r2-latest', snapshot: latest }
	const createSource = parseCreateSource(opts.createSource)
	if (!createSource || !opts.roomKey.startsWith('file:')) return { source: 'empty', snapshot: undefined }
	switch (createSource.kind) {
		case 'import': {
			const snapshot = await opts.imports.getImport(opts.roomKey.slice('file:'.length))
			return snapshot ? { source: 'import', snapshot } : { source: 'empty', snapshot: undefined }
		}
		case 'duplicate': {
			const snapshot = await readLatestSnapshot(opts.snapshots, roomKeyForFile(createSource.fileId))
			return snapshot ? { source: 'duplicate', snapshot } : { source: 'empty', snapshot: undefined }
		}
	}
}
