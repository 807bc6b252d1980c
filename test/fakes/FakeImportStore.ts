import type { RoomSnapshot } from '@tldraw/sync-core'
import type { ImportStore } from '../../src/room/ImportStore'
import type { ImportedSnapshot } from '../../src/files/parseTldrawImport'

/** In-memory ImportStore; `failNextPut` simulates an R2 outage. */
export class FakeImportStore implements ImportStore {
	readonly imports = new Map<string, ImportedSnapshot>()
	failNextPut: Error | null = null

	async putImport(fileId: string, snapshot: ImportedSnapshot): Promise<void> {
		if (this.failNextPut) {
			const err = this.failNextPut
			this.failNextPut = null
			throw err
		}
		this.imports.set(fileId, structuredClone(snapshot))
	}

	async getImport(fileId: string): Promise<RoomSnapshot | null> {
		return this.imports.get(fileId) ?? null
	}
}
