import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import type { RoomKey } from '../storage/keys'

export type AdmissionDecision =
	| { kind: 'allow' }
	| { kind: 'deny'; reason: TLSyncErrorCloseEventReason }

/**
 * The room's own admission rules, after the Worker has authorised the caller:
 * a read-only slug only opens an anonymous room that exists, and the session limit is exact
 * (the Nth session is the last one allowed: `connected >= max` refuses).
 */
export function decideAdmission(opts: {
	roomKey: RoomKey | null
	viaReadonlySlug: boolean
	connectedSessions: number
	maxSessions: number
}): AdmissionDecision {
	if (!opts.roomKey) return { kind: 'deny', reason: TLSyncErrorCloseEventReason.NOT_FOUND }
	if (opts.viaReadonlySlug && !opts.roomKey.startsWith('room:')) {
		return { kind: 'deny', reason: TLSyncErrorCloseEventReason.NOT_FOUND }
	}
	if (opts.connectedSessions >= opts.maxSessions) return { kind: 'deny', reason: TLSyncErrorCloseEventReason.ROOM_FULL }
	return { kind: 'allow' }
}
