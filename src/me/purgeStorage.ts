import { retireFileIds } from '../db/fileTombstones'
import { retireUserId } from '../db/userTombstones'
import type { Db } from '../db/createDb'
import type { Env } from '../env'
import { uploadKey } from '../assets/UploadStore'
import { deleteAllFrozenSnapshots } from '../files/frozenSnapshots'
import { forEachKey } from '../storage/forEachKey'
import {
	historyPrefix,
	importSnapshotKey,
	latestSnapshotKey,
	publishedHistoryPrefix,
	publishedSnapshotKey,
	roomKeyForFile,
} from '../storage/keys'
import { fileRoomStub, statsStub, userStub } from '../stubs'
import type { PurgeFile } from './PurgeStore'
import { createUserDataRepository, type OwnedFile } from './UserDataRepository'

export type PurgeEnv = Pick<Env, 'ROOM' | 'ROOMS' | 'ROOM_HISTORY' | 'SNAPSHOTS' | 'UPLOADS' | 'STATS' | 'USER'>

/**
 * First step of a purge: the user's id is retired (their token opens nothing from now on), their files are
 * retired (their ids can never be used again) and marked deleted, so nobody can open them while their
 * storage is removed (live sessions are closed by the replicated change and again by the room's purge);
 * returns the files and uploads to purge and the rooms of others' files where the user may have sessions.
 */
export async function collectUserData(db: Db, userId: string): Promise<{ files: OwnedFile[]; assets: string[]; rooms: string[] }> {
	const repo = createUserDataRepository(db)
	await retireUserId(db, userId)
	const files = await repo.ownedFiles(userId)
	await retireFileIds(
		db,
		files.map((f) => f.id),
	)
	if (files.length > 0) await db.updateTable('file').set({ isDeleted: true }).where('ownerId', '=', userId).where('isDeleted', '=', false).execute()
	return { files, assets: await repo.assetNames(userId), rooms: await repo.visitedFiles(userId) }
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
	await deleteAllFrozenSnapshots(env.SNAPSHOTS, file.id)
	await statsStub(env).forgetRoom(roomKey)
}

/** The user's sessions in the room of someone else's file close (NOT_AUTHENTICATED); the room stays. */
export async function closeSessionsOfUser(env: PurgeEnv, fileId: string, userId: string): Promise<void> {
	await fileRoomStub(env, fileId).closeUserSessions(userId)
}

/** The user's data object: open user-data sockets close (NOT_AUTHENTICATED) and its storage goes. */
export function forgetUserObject(env: PurgeEnv, userId: string): Promise<void> {
	return userStub(env, userId).forgetUser(userId)
}

export async function purgeUploads(env: PurgeEnv, objectNames: readonly string[]): Promise<void> {
	if (objectNames.length > 0) await env.UPLOADS.delete(objectNames.map(uploadKey))
}

async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<void> {
	await forEachKey(bucket, prefix, (keys) => bucket.delete(keys))
}
