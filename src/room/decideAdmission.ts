import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import type { RoomKey } from '../storage/keys'

export type AdmissionDecision =
	| { kind: 'allow' }
	| { kind: 'deny'; reason: TLSyncErrorCloseEventReason }

/** Who is joining, as the Worker decided: the file's owner, someone who may edit, or a read-only viewer. */
export type SessionRole = 'owner' | 'editor' | 'reader'

/**
 * Seats readers may not take, so people who can edit still get in when viewers crowd a room:
 * a tenth of the room (none in rooms under 10).
 */
export function seatsKeptForEditors(maxSessions: number): number {
	return Math.floor(maxSessions / 10)
}

/**
 * The room's own admission rules, after the Worker has authorised the caller:
 * a read-only slug only opens an anonymous room that exists; the owner always gets in (their own file can
 * never be full); editors get the last seat (`connected >= max` refuses, so the limit is exact); readers
 * are refused first, `seatsKeptForEditors` seats earlier.
 */
export function decideAdmission(opts: {
	roomKey: RoomKey | null
	viaReadonlySlug: boolean
	connectedSessions: number
	maxSessions: number
	role: SessionRole
}): AdmissionDecision {
	if (!opts.roomKey) return { kind: 'deny', reason: TLSyncErrorCloseEventReason.NOT_FOUND }
	if (opts.viaReadonlySlug && !opts.roomKey.startsWith('room:')) {
		return { kind: 'deny', reason: TLSyncErrorCloseEventReason.NOT_FOUND }
	}
	if (opts.role === 'owner') return { kind: 'allow' }
	const seats = opts.role === 'reader' ? opts.maxSessions - seatsKeptForEditors(opts.maxSessions) : opts.maxSessions
	if (opts.connectedSessions >= seats) return { kind: 'deny', reason: TLSyncErrorCloseEventReason.ROOM_FULL }
	return { kind: 'allow' }
}
