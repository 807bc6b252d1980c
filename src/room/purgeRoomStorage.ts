import { TLSyncErrorCloseEventCode, TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import { RoomMetaStore } from './RoomMetaStore'

/**
 * DELETE /app/me, for one room: every session is closed with NOT_FOUND (useSync shows "not found" and
 * stops retrying), then the alarm and all storage go. The room's own tables come back empty so calls
 * that may still arrive (a replicated file change) find an unknown room instead of failing. Idempotent.
 */
export async function purgeRoomStorage(ctx: DurableObjectState): Promise<void> {
	for (const ws of ctx.getWebSockets()) {
		try {
			ws.close(TLSyncErrorCloseEventCode, TLSyncErrorCloseEventReason.NOT_FOUND)
		} catch {
			// already closed
		}
	}
	await ctx.storage.deleteAlarm()
	await ctx.storage.deleteAll()
	new RoomMetaStore(ctx.storage.sql)
}
