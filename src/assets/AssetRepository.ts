import type { Db } from '../db/createDb'
import type { AssetRow } from '../db/schema'

export type NewAsset = {
	objectName: string
	fileId: string
	userId: string
	size: number
	contentType: string
	uploadedAt: Date
}

/** The `asset` table; in-memory twin: test/fakes/FakeAssetRepository.ts. */
export interface AssetRepository {
	/** Inserts the row once; recording the same object again changes nothing (queue redelivery, retries). */
	recordAsset(asset: NewAsset): Promise<void>
	getAsset(objectName: string): Promise<AssetRow | null>
}

export function createAssetRepository(db: Db): AssetRepository {
	return {
		recordAsset: (asset) => recordAsset(db, asset),
		getAsset: (objectName) => getAsset(db, objectName),
	}
}

/**
 * DO NOTHING rather than an update on conflict: an object is never overwritten (decideUploadOwnership),
 * so an existing row already describes it, and an unchanged row emits no replication traffic.
 */
export async function recordAsset(db: Db, asset: NewAsset): Promise<void> {
	await db
		.insertInto('asset')
		.values({ ...asset })
		.onConflict((oc) => oc.column('objectName').doNothing())
		.execute()
}

export async function getAsset(db: Db, objectName: string): Promise<AssetRow | null> {
	return (await db.selectFrom('asset').selectAll().where('objectName', '=', objectName).executeTakeFirst()) ?? null
}
