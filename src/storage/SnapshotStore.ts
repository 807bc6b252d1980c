import { historyVersionKey, latestSnapshotKey, type RoomKey } from './keys'

/** Where rooms export their snapshots: the latest one and a timestamped history of versions. */
export interface SnapshotStore {
	getLatest(roomKey: RoomKey): Promise<string | null>
	/** Writes the version first, then the latest pointer, so `latest` never names content history lacks. */
	putVersion(roomKey: RoomKey, timestampMs: number, json: string): Promise<{ historyKey: string }>
	getVersion(historyKey: string): Promise<string | null>
	deleteVersions(historyKeys: readonly string[]): Promise<void>
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
		async getVersion(historyKey) {
			const obj = await history.get(historyKey)
			return obj ? await obj.text() : null
		},
		async deleteVersions(historyKeys) {
			// R2 deletes at most 1000 keys per call.
			for (let i = 0; i < historyKeys.length; i += 1000) await history.delete(historyKeys.slice(i, i + 1000) as string[])
		},
	}
}
