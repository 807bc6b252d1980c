import { latestSnapshotKey, type RoomKey } from './keys'

/**
 * Where rooms keep their history in R2: version objects (checkpoints and change sets, see
 * src/room/historyFormat.ts) in `ROOM_HISTORY`, and one `latest` object per room in `ROOMS` naming the chain
 * of the newest version.
 */
export interface SnapshotStore {
	getLatest(roomKey: RoomKey): Promise<string | null>
	putLatest(roomKey: RoomKey, json: string): Promise<void>
	putVersion(objectKey: string, body: string | Uint8Array | Blob): Promise<void>
	getVersion(objectKey: string): Promise<string | null>
	deleteVersions(objectKeys: readonly string[]): Promise<void>
}

const httpMetadata = { contentType: 'application/json' }

export function createR2SnapshotStore(rooms: R2Bucket, history: R2Bucket): SnapshotStore {
	return {
		async getLatest(roomKey) {
			const obj = await rooms.get(latestSnapshotKey(roomKey))
			return obj ? await obj.text() : null
		},
		async putLatest(roomKey, json) {
			await rooms.put(latestSnapshotKey(roomKey), json, { httpMetadata })
		},
		async putVersion(objectKey, body) {
			await history.put(objectKey, body, { httpMetadata })
		},
		async getVersion(objectKey) {
			const obj = await history.get(objectKey)
			return obj ? await obj.text() : null
		},
		async deleteVersions(objectKeys) {
			// R2 deletes at most 1000 keys per call.
			for (let i = 0; i < objectKeys.length; i += 1000) await history.delete(objectKeys.slice(i, i + 1000) as string[])
		},
	}
}
