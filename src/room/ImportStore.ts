import type { RoomSnapshot } from '@tldraw/sync-core'
import { parseRoomSnapshot } from './parseRoomSnapshot'

/**
 * Where POST /app/files puts an uploaded document until the file's room first starts and loads it
 * (createSource `import`). Written before the file row, so a room never sees a row whose content is missing.
 */
export interface ImportStore {
	putImport(fileId: string, snapshot: RoomSnapshot): Promise<void>
	getImport(fileId: string): Promise<RoomSnapshot | null>
}

/** R2-backed; `keyFor` comes from src/storage/keys.ts, the one module that builds storage keys. */
export function createR2ImportStore(bucket: R2Bucket, keyFor: (fileId: string) => string): ImportStore {
	return {
		async putImport(fileId, snapshot) {
			await bucket.put(keyFor(fileId), JSON.stringify(snapshot), { httpMetadata: { contentType: 'application/json' } })
		},
		async getImport(fileId) {
			const obj = await bucket.get(keyFor(fileId))
			return obj ? parseRoomSnapshot(await obj.text()) : null
		},
	}
}
