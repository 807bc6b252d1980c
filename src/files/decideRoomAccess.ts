import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import type { Auth } from '../auth/verifyRequestAuth'
import type { FileRow } from '../db/schema'

/** The columns of a file row that decide access (a replicated row or a Postgres row both have them). */
export type FileAccessFields = Pick<FileRow, 'ownerId' | 'shared' | 'sharedLinkType' | 'published' | 'isDeleted'>

/**
 * How the caller reaches the file:
 * - `file`: the live room, `/app/file/:fileId` (and the file's HTTP reads).
 * - `published`: the published copy, `/app/publish/:slug`.
 *
 * Publishing and sharing are independent, as on tldraw.com: publishing makes a read-only copy public
 * under its own slug (a snapshot taken at publish time, refreshed on re-publish), and never opens the
 * live room; sharing opens the live room to anyone with the link, signed in or not, read-only for a
 * view link. So a published private file is public at /app/publish/:slug and still private at
 * /app/file/:fileId.
 */
export const RoomRoute = { FILE: 'file', PUBLISHED: 'published' } as const
export type RoomRoute = (typeof RoomRoute)[keyof typeof RoomRoute]

export type ConnectDecision =
	| { kind: 'allow'; isReadonly: boolean }
	| { kind: 'deny'; reason: TLSyncErrorCloseEventReason }

const allow = (isReadonly: boolean): ConnectDecision => ({ kind: 'allow', isReadonly })
const deny = (reason: TLSyncErrorCloseEventReason): ConnectDecision => ({ kind: 'deny', reason })

/**
 * Who may open a file, and whether read-only (DESIGN §3). The caller's role (owner, signed-in guest,
 * anonymous) follows from `file.ownerId` and `auth`. Session limits and rate limits are decided
 * elsewhere (decideAdmission), after this.
 */
export function decideRoomAccess(file: FileAccessFields | null, auth: Pick<Auth, 'userId'> | null, route: RoomRoute): ConnectDecision {
	if (!file || file.isDeleted) return deny(TLSyncErrorCloseEventReason.NOT_FOUND)
	switch (route) {
		case RoomRoute.PUBLISHED:
			// Unpublished looks exactly like missing, so a slug reveals nothing after unpublishing.
			return file.published ? allow(true) : deny(TLSyncErrorCloseEventReason.NOT_FOUND)
		case RoomRoute.FILE: {
			if (auth && auth.userId === file.ownerId) return allow(false)
			if (!file.shared) {
				return deny(auth ? TLSyncErrorCloseEventReason.FORBIDDEN : TLSyncErrorCloseEventReason.NOT_AUTHENTICATED)
			}
			return allow(file.sharedLinkType === 'view')
		}
		default:
			return assertNever(route)
	}
}

export type SessionChangeDecision =
	| { kind: 'keep' }
	/** Lost write access: end the session without a fatal reason so the client rejoins read-only. */
	| { kind: 'downgrade' }
	/** Gained write access (view link became edit): rejoining gives the client write access. */
	| { kind: 'upgrade' }
	/** Lost access: close with code 4099 and this reason. */
	| { kind: 'close'; reason: TLSyncErrorCloseEventReason }

/**
 * What a live session of the file room should do when its file row changes (DESIGN §3, live
 * re-authorization). `oldFile` is the row before the change, null when unknown; when none of the
 * access columns changed (a rename, a thumbnail) every session is kept.
 */
export function decideSessionChange(
	oldFile: FileAccessFields | null,
	newFile: FileAccessFields | null,
	session: { userId: string | null; isReadonly: boolean },
): SessionChangeDecision {
	if (oldFile && newFile && sameAccess(oldFile, newFile)) return { kind: 'keep' }
	const next = decideRoomAccess(newFile, session.userId === null ? null : { userId: session.userId }, RoomRoute.FILE)
	switch (next.kind) {
		case 'deny':
			return { kind: 'close', reason: next.reason }
		case 'allow':
			if (next.isReadonly === session.isReadonly) return { kind: 'keep' }
			return next.isReadonly ? { kind: 'downgrade' } : { kind: 'upgrade' }
		default:
			return assertNever(next)
	}
}

function sameAccess(a: FileAccessFields, b: FileAccessFields): boolean {
	return a.ownerId === b.ownerId && a.shared === b.shared && a.sharedLinkType === b.sharedLinkType && a.isDeleted === b.isDeleted
}

/** The HTTP status for a denial, for routes that answer over HTTP instead of closing a socket. */
export function httpStatusForDenial(reason: TLSyncErrorCloseEventReason): number {
	switch (reason) {
		case TLSyncErrorCloseEventReason.NOT_AUTHENTICATED:
			return 401
		case TLSyncErrorCloseEventReason.FORBIDDEN:
			return 403
		case TLSyncErrorCloseEventReason.NOT_FOUND:
			return 404
		case TLSyncErrorCloseEventReason.RATE_LIMITED:
			return 429
		case TLSyncErrorCloseEventReason.ROOM_FULL:
			return 503
		case TLSyncErrorCloseEventReason.UNKNOWN_ERROR:
		case TLSyncErrorCloseEventReason.SERVER_TOO_OLD:
			return 500
		default:
			return 400
	}
}

function assertNever(value: never): never {
	throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}
