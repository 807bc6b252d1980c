import type { SnapshotStore } from '../../src/storage/SnapshotStore'
import type { RoomKey } from '../../src/storage/keys'

/** In-memory SnapshotStore; `failNext` makes the next writes throw as an R2 outage would. */
export class MemorySnapshotStore implements SnapshotStore {
	readonly latest = new Map<RoomKey, string>()
	readonly history = new Map<string, string>()
	failNext = 0
	bytesWritten = 0

	private maybeFail() {
		if (this.failNext > 0) {
			this.failNext--
			throw new Error('simulated R2 failure')
		}
	}

	async getLatest(roomKey: RoomKey) {
		return this.latest.get(roomKey) ?? null
	}

	async putLatest(roomKey: RoomKey, json: string) {
		this.maybeFail()
		this.latest.set(roomKey, json)
	}

	async putVersion(objectKey: string, body: string | Uint8Array | Blob) {
		this.maybeFail()
		const bytes = body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : typeof body === 'string' ? new TextEncoder().encode(body) : body
		this.bytesWritten += bytes.byteLength
		this.history.set(objectKey, new TextDecoder().decode(bytes))
	}

	async getVersion(objectKey: string) {
		return this.history.get(objectKey) ?? null
	}

	async deleteVersions(objectKeys: readonly string[]) {
		for (const k of objectKeys) this.history.delete(k)
	}
}
