import type { SnapshotStore } from '../../src/storage/SnapshotStore'
import { historyVersionKey, type RoomKey } from '../../src/storage/keys'

/** In-memory SnapshotStore; `failNext` makes the next writes throw as an R2 outage would. */
export class MemorySnapshotStore implements SnapshotStore {
	readonly latest = new Map<RoomKey, string>()
	readonly history = new Map<string, string>()
	failNext = 0

	async getLatest(roomKey: RoomKey) {
		return this.latest.get(roomKey) ?? null
	}

	async putVersion(roomKey: RoomKey, timestampMs: number, json: string) {
		if (this.failNext > 0) {
			this.failNext--
			throw new Error('simulated R2 failure')
		}
		const historyKey = historyVersionKey(roomKey, timestampMs)
		this.history.set(historyKey, json)
		this.latest.set(roomKey, json)
		return { historyKey }
	}

	async getVersion(historyKey: string) {
		return this.history.get(historyKey) ?? null
	}

	async deleteVersions(historyKeys: readonly string[]) {
		for (const k of historyKeys) this.history.delete(k)
	}
}
