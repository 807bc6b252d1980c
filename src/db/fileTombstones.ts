import type { Db } from './createDb'

/**
 * File ids that must never be used again (migrations/2026-11-30T0900_file_tombstone.ts): a trigger
 * tombstones every removed `file` row and refuses inserts of a tombstoned id, so these functions are for
 * code that wants to ask first (a clear reject instead of a constraint error) or to retire ids before
 * their rows go (a purge that removes a user's files).
 */
export async function isFileIdRetired(db: Db, fileId: string): Promise<boolean> {
	const row = await db.selectFrom('file_tombstone').select('id').where('id', '=', fileId).executeTakeFirst()
	return row !== undefined
}

/** Tombstones `fileIds` (idempotent). Removing their rows does this too; call it to retire ids up front. */
export async function retireFileIds(db: Db, fileIds: readonly string[]): Promise<void> {
	if (fileIds.length === 0) return
	await db
		.insertInto('file_tombstone')
		.values(fileIds.map((id) => ({ id })))
		.onConflict((oc) => oc.column('id').doNothing())
		.execute()
}
