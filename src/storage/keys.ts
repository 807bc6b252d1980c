/**
 * Every storage key and Durable Object name is built here, from ids that passed `isValidId` (the routes
 * check them with `requireId`). Changing a format here is a data migration: old keys stay in R2 and
 * old objects keep their names.
 */
const ID_RE = /^[A-Za-z0-9_-]{1,128}$/

export function isValidId(id: string): boolean {
	return ID_RE.test(id)
}

export type RoomKey = `room:${string}` | `file:${string}`

export function roomKeyForAnonymousRoom(roomId: string): RoomKey {
	return `room:${roomId}`
}

export function roomKeyForFile(fileId: string): RoomKey {
	return `file:${fileId}`
}

/** The user-data Durable Object of `userId` (one per user). */
export function userObjectName(userId: string): string {
	return `user:${userId}`
}

/** The replicator is a singleton: one logical replication stream per deployment. */
export const REPLICATOR_OBJECT_NAME = 'replicator'
/** The purge job of one user (DELETE /app/me). */
export function purgeObjectName(userId: string): string {
	return `purge:${userId}`
}

/** The stats object's name (admin view). */
export const STATS_OBJECT_NAME = 'stats'

/** R2 `ROOMS` bucket: the latest exported snapshot of a room. */
export function latestSnapshotKey(roomKey: RoomKey): string {
	return roomKey.replace(':', '/')
}

/** R2 `ROOM_HISTORY` bucket prefix for one room's versions. */
export function historyPrefix(roomKey: RoomKey): string {
	return `${roomKey.replace(':', '/')}/`
}

/** R2 `ROOM_HISTORY` key for a version taken at `timestampMs` (ISO time sorts lexically). */
export function historyVersionKey(roomKey: RoomKey, timestampMs: number): string {
	return historyPrefix(roomKey) + new Date(timestampMs).toISOString()
}

/** R2 `SNAPSHOTS` key of a document uploaded with POST /app/files, read by the file's room on first start. */
export function importSnapshotKey(fileId: string): string {
	return `imports/${fileId}`
}

/** R2 `SNAPSHOTS`: the published copy of a file, served at /app/publish/:slug. */
export function publishedSnapshotKey(slug: string): string {
	return `published/${slug}`
}

/** R2 `SNAPSHOTS`: every publish is also kept under its time. */
export function publishedHistoryKey(slug: string, timestampMs: number): string {
	return publishedHistoryPrefix(slug) + new Date(timestampMs).toISOString()
}

export function publishedHistoryPrefix(slug: string): string {
	return `published-history/${slug}/`
}

/**
 * R2 `SNAPSHOTS`: an empty marker per frozen snapshot of a file, so purging the file (DELETE /app/me)
 * finds its frozen snapshots by prefix.
 */
export function frozenByFileKey(fileId: string, slug: string): string {
	return frozenByFilePrefix(fileId) + slug
}

export function frozenByFilePrefix(fileId: string): string {
	return `snapshots-by-file/${fileId}/`
}

/** R2 `SNAPSHOTS`: a frozen snapshot made with POST /snapshots, served at /snapshot/:slug. */
export function sharedSnapshotKey(slug: string): string {
	return `snapshots/${slug}`
}
