import { historyVersionKey, latestSnapshotKey, type RoomKey } from './keys'

/** Where rooms export their snapshots: the latest one and a timestamped history of versions. */
export interface SnapshotStore {
	getLatest(roomKey: RoomKey): Promise<string | null>
	/** Writes the version first, then the latest pointer, so `latest` never names content history lacks. */
	putVersion(roomKey: RoomKey, timestampMs: number, json: string): Promise<{ historyKey: string }>
}

export function createR2SnapshotStore(rooms: R2Bucket, history: R2Bucket): SnapshotStore {
	return {
		async getLatest(roomKey) {
			const obj = await rooms.get(latestSnapshotKey(roomKey))
			return obj ? await obj.text() : null
		},
		async putVersion(roomKey, timestampMs, json) {
			const historyKey = historyVersionKey(roomKey, timestampMs)
			const httpMetadata = { contentType: 'application/json' }
			await history.put(historyKey, json, { httpMetadata })
			await rooms.put(latestSnapshotKey(roomKey), json, { httpMetadata })
			return { historyKey }
		},
	}
}
