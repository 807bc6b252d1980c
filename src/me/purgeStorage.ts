import { retireFileIds } from '../db/fileTombstones'
import type { Db } from '../db/createDb'
import type { Env } from '../env'
import { uploadKey } from '../assets/UploadStore'
import {
	frozenByFilePrefix,
	historyPrefix,
	importSnapshotKey,
	latestSnapshotKey,
	publishedHistoryPrefix,
	publishedSnapshotKey,
	roomKeyForFile,
	sharedSnapshotKey,
} from '../storage/keys'
import { fileRoomStub, statsStub } from '../stubs'
import type { PurgeFile } from './PurgeStore'
import { createUserDataRepository, type OwnedFile } from './UserDataRepository'

export type PurgeEnv = Pick<Env, 'ROOM' | 'ROOMS' | 'ROOM_HISTORY' | 'SNAPSHOTS' | 'UPLOADS' | 'STATS'>

/**
 * First step of a purge: the user's files are retired (their ids can never be used again) and marked
 * deleted, so nobody can open them while their storage is removed (live sessions are closed by the
 * replicated change and again by the room's purge); returns the files and uploads to purge.
 */
export async function collectUserData(db: Db, userId: string): Promise<{ files: OwnedFile[]; assets: string[] }> {
	const repo = createUserDataRepository(db)
	const files = await repo.ownedFiles(userId)
	await retireFileIds(
		db,
		files.map((f) => f.id),
	)
	if (files.length > 0) await db.updateTable('file').set({ isDeleted: true }).where('ownerId', '=', userId).where('isDeleted', '=', false).execute()
	return { files, assets: await repo.assetNames(userId) }
}

/** Everything of one file outside Postgres: its room (sessions closed, storage deleted) and its R2 objects. */
export async function purgeFileStorage(env: PurgeEnv, file: PurgeFile): Promise<void> {
	const roomKey = roomKeyForFile(file.id)
	await fileRoomStub(env, file.id).purge()
	await env.ROOMS.delete(latestSnapshotKey(roomKey))
	await deletePrefix(env.ROOM_HISTORY, historyPrefix(roomKey))
	await env.SNAPSHOTS.delete(importSnapshotKey(file.id))
	if (file.publishedSlug) {
		await env.SNAPSHOTS.delete(publishedSnapshotKey(file.publishedSlug))
		await deletePrefix(env.SNAPSHOTS, publishedHistoryPrefix(file.publishedSlug))
	}
	// Frozen snapshots: each marker names one; the snapshot goes before its marker, so a retry finds it.
	await forEachKey(env.SNAPSHOTS, frozenByFilePrefix(file.id), async (keys) => {
		const prefix = frozenByFilePrefix(file.id)
		await env.SNAPSHOTS.delete(keys.map((k) => sharedSnapshotKey(k.slice(prefix.length))))
		await env.SNAPSHOTS.delete(keys)
	})
	await statsStub(env).forgetRoom(roomKey)
}

export async function purgeUploads(env: PurgeEnv, objectNames: readonly string[]): Promise<void> {
	if (objectNames.length > 0) await env.UPLOADS.delete(objectNames.map(uploadKey))
}

async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
	await forEachKey(bucket, prefix, (keys) => bucket.delete(keys))
}

/** Pages through `prefix` (R2 lists at most 1,000 keys per call); `fn` may delete what it is given. */
async function forEachKey(bucket: R2Bucket, prefix: string, fn: (keys: string[]) => Promise<void>): Promise<void> {
	for (;;) {
		const page = await bucket.list({ prefix, limit: 1000 })
		if (page.objects.length === 0) return
		await fn(page.objects.map((o) => o.key))
		if (!page.truncated) return
	}
}
