import type { Env } from '../env'
import { applyFileRowChange } from '../files/applyFileRowChange'
import type { RoomEffect } from './types'

/** Executes one replicated room effect; throws so the replicator keeps it in the outbox and retries. */
export function applyRoomEffect(env: Env, effect: RoomEffect): Promise<void> {
	return applyFileRowChange({ rooms: env.ROOM, snapshots: env.SNAPSHOTS }, effect.before, effect.after)
}
