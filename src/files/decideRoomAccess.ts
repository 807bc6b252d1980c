import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import type { Auth } from '../auth/authenticateRequest'
import type { FileRow } from '../db/schema'
import { ApiError, authError, ErrorCode } from '../http/errors'

/** The columns of a file row that decide access (a replicated row or a Postgres row both have them). */
export type FileAccessFields = Pick<FileRow, 'ownerId' | 'shared' | 'sharedLinkType' | 'published' | 'isDeleted'>

export type ConnectDecision =
	| { kind: 'allow'; isReadonly: boolean }
	| { kind: 'deny'; reason: TLSyncErrorCloseEventReason }

const allow = (isReadonly: boolean): ConnectDecision => ({ kind: 'allow', isReadonly })
const deny = (reason: TLSyncErrorCloseEventReason): ConnectDecision => ({ kind: 'deny', reason })

/**
 * Who may open a file's live room (`/app/file/:fileId` and the file's HTTP routes), and whether
 * read-only. The caller's role (owner, signed-in guest, anonymous) follows from `file.ownerId` and
 * `auth`. Session limits and rate limits are decided elsewhere (decideAdmission), after this.
 *
 * Publishing and sharing are independent, as on tldraw.com: publishing copies the document to a public
 * slug (`/app/publish/:slug`, served from R2 without this check) and never opens the live room; sharing
 * opens the live room to anyone with the link, read-only for a view link. So a published private file
 * stays private here.
 */
export function decideRoomAccess(file: FileAccessFields | null, auth: Pick<Auth, 'userId'> | null): ConnectDecision {
	if (!file || file.isDeleted) return deny(TLSyncErrorCloseEventReason.NOT_FOUND)
	if (auth && auth.userId === file.ownerId) return allow(false)
	if (!file.shared) return deny(auth ? TLSyncErrorCloseEventReason.FORBIDDEN : TLSyncErrorCloseEventReason.NOT_AUTHENTICATED)
	return allow(file.sharedLinkType === 'view')
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
 * What a live session of the file room should do when its file row changes (ARCHITECTURE.md §4, live
 * re-authorization). `oldFile` is the row before the change, null when unknown; when none of the
 * access columns changed (a rename, a thumbnail) every session is kept.
 */
export function decideSessionChange(
	oldFile: FileAccessFields | null,
	newFile: FileAccessFields | null,
	session: { userId: string | null; isReadonly: boolean },
): SessionChangeDecision {
	if (oldFile && newFile && sameAccess(oldFile, newFile)) return { kind: 'keep' }
	const next = decideRoomAccess(newFile, session.userId === null ? null : { userId: session.userId })
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

/** A denial as the HTTP error routes throw (one wording for every route that answers over HTTP). */
export function accessDeniedError(reason: TLSyncErrorCloseEventReason): ApiError {
	const status = httpStatusForDenial(reason)
	switch (reason) {
		case TLSyncErrorCloseEventReason.NOT_AUTHENTICATED:
			return authError(status, ErrorCode.NOT_AUTHENTICATED, 'this file is private: sign in to open it')
		case TLSyncErrorCloseEventReason.FORBIDDEN:
			return new ApiError(status, ErrorCode.FORBIDDEN, 'this file is private')
		case TLSyncErrorCloseEventReason.NOT_FOUND:
			return new ApiError(status, ErrorCode.NOT_FOUND, 'file not found')
		default:
			return new ApiError(status, ErrorCode.BAD_REQUEST, reason)
	}
}

function assertNever(value: never): never {
	throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}
