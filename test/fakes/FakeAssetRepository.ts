import type { AssetRepository, NewAsset } from '../../src/assets/AssetRepository'
import type { AssetRow } from '../../src/db/schema'

/** In-memory `asset` table with the Postgres version's insert-once semantics; `failures` makes writes throw. */
export class FakeAssetRepository implements AssetRepository {
	readonly rows = new Map<string, AssetRow>()
	/** How many of the next recordAsset calls throw (a database outage). */
	failures = 0
	/** objectNames whose write always fails (a constraint violation). */
	readonly poisoned = new Set<string>()
	recordCalls = 0

	async recordAsset(asset: NewAsset): Promise<void> {
		this.recordCalls += 1
		if (this.failures > 0) {
			this.failures -= 1
			throw new Error('connection terminated unexpectedly')
		}
		if (this.poisoned.has(asset.objectName)) throw new Error('insert or update on table "asset" violates foreign key constraint')
		if (this.rows.has(asset.objectName)) return
		this.rows.set(asset.objectName, { ...asset, size: String(asset.size) })
	}

	async getAsset(objectName: string): Promise<AssetRow | null> {
		return this.rows.get(objectName) ?? null
	}
}
