/** Every Durable Object stub is built here; nothing else calls `idFromName`. Names come from storage/keys. */
import type { Env } from './env'
import { purgeObjectName, REPLICATOR_OBJECT_NAME, roomKeyForFile, STATS_OBJECT_NAME, userObjectName, type RoomKey } from './storage/keys'

/** The room of `roomKey` (`room:<roomId>` or `file:<fileId>`). */
export function roomStub(env: Pick<Env, 'ROOM'>, roomKey: RoomKey) {
	return env.ROOM.get(env.ROOM.idFromName(roomKey))
}

export function fileRoomStub(env: Pick<Env, 'ROOM'>, fileId: string) {
	return roomStub(env, roomKeyForFile(fileId))
}

/**
 * A read-only slug is the room's Durable Object id: derived by a one-way hash, so it never reveals the
 * room id, and no slug table is needed.
 */
export function readonlySlugOf(env: Pick<Env, 'ROOM'>, roomKey: RoomKey): string {
	return env.ROOM.idFromName(roomKey).toString()
}

/** The room a read-only slug names, or null when the slug is not an id of this namespace (forged, mistyped). */
export function roomStubForSlug(env: Pick<Env, 'ROOM'>, slug: string) {
	let id: DurableObjectId
	try {
		id = env.ROOM.idFromString(slug)
	} catch {
		return null
	}
	return env.ROOM.get(id)
}

export function userStub(env: Pick<Env, 'USER'>, userId: string) {
	return env.USER.get(env.USER.idFromName(userObjectName(userId)))
}

export function replicatorStub(env: Pick<Env, 'REPLICATOR'>) {
	return env.REPLICATOR.get(env.REPLICATOR.idFromName(REPLICATOR_OBJECT_NAME))
}

/** The one stats object behind the admin view. */
export function statsStub(env: Pick<Env, 'STATS'>) {
	return env.STATS.get(env.STATS.idFromName(STATS_OBJECT_NAME))
}

/** The purge job of `userId` (DELETE /app/me). */
export function purgeStub(env: Pick<Env, 'PURGE'>, userId: string) {
	return env.PURGE.get(env.PURGE.idFromName(purgeObjectName(userId)))
}
