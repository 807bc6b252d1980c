import { TLSyncErrorCloseEventReason as R } from '@tldraw/sync-core'
import { describe, expect, it } from 'vitest'
import {
	decideRoomAccess,
	decideSessionChange,
	httpStatusForDenial,
	type ConnectDecision,
	type FileAccessFields,
	type SessionChangeDecision,
} from '../../src/files/decideRoomAccess'

const OWNER = 'user_owner'
const file = (over: Partial<FileAccessFields> = {}): FileAccessFields => ({
	ownerId: OWNER,
	shared: false,
	sharedLinkType: 'edit',
	published: false,
	isDeleted: false,
	...over,
})

const FILES = {
	private: file(),
	'view link': file({ shared: true, sharedLinkType: 'view' }),
	'edit link': file({ shared: true, sharedLinkType: 'edit' }),
	published: file({ published: true }),
	'published + view link': file({ published: true, shared: true, sharedLinkType: 'view' }),
	deleted: file({ isDeleted: true, shared: true, published: true }),
	missing: null,
} as const
type FileKind = keyof typeof FILES

const CALLERS = {
	owner: { userId: OWNER },
	'signed-in stranger': { userId: 'user_stranger' },
	anonymous: null,
} as const
type Caller = keyof typeof CALLERS

const rw: ConnectDecision = { kind: 'allow', isReadonly: false }
const ro: ConnectDecision = { kind: 'allow', isReadonly: true }
const deny = (reason: R): ConnectDecision => ({ kind: 'deny', reason })

// prettier-ignore
const TABLE: Array<[Caller, FileKind, ConnectDecision]> = [
	['owner',              'private',               rw],
	['signed-in stranger', 'private',               deny(R.FORBIDDEN)],
	['anonymous',          'private',               deny(R.NOT_AUTHENTICATED)],
	['owner',              'view link',             rw],
	['signed-in stranger', 'view link',             ro],
	['anonymous',          'view link',             ro],
	['owner',              'edit link',             rw],
	['signed-in stranger', 'edit link',             rw],
	['anonymous',          'edit link',             rw],
	// Publishing does not open the live room (tldraw.com semantics: the published copy has its own route).
	['owner',              'published',             rw],
	['signed-in stranger', 'published',             deny(R.FORBIDDEN)],
	['anonymous',          'published',             deny(R.NOT_AUTHENTICATED)],
	['signed-in stranger', 'published + view link', ro],
	['owner',              'deleted',               deny(R.NOT_FOUND)],
	['signed-in stranger', 'deleted',               deny(R.NOT_FOUND)],
	['anonymous',          'deleted',               deny(R.NOT_FOUND)],
	['owner',              'missing',               deny(R.NOT_FOUND)],
	['anonymous',          'missing',               deny(R.NOT_FOUND)],
]

describe('decideRoomAccess', () => {
	it.each(TABLE)('%s on a %s file → %j', (caller, kind, expected) => {
		expect(decideRoomAccess(FILES[kind], CALLERS[caller])).toEqual(expected)
	})

	it('covers every caller × file kind', () => {
		const covered = new Set(TABLE.map(([c, f]) => `${c}/${f}`))
		for (const c of Object.keys(CALLERS)) {
			for (const f of ['private', 'view link', 'edit link', 'published', 'deleted']) expect(covered).toContain(`${c}/${f}`)
		}
	})

	it('ignores extra fields of a full row', () => {
		const row = { ...file({ shared: true, sharedLinkType: 'view' }), id: 'f1', name: 'n' }
		expect(decideRoomAccess(row, { userId: 'someone' })).toEqual(ro)
	})
})

const keep: SessionChangeDecision = { kind: 'keep' }
const close = (reason: R): SessionChangeDecision => ({ kind: 'close', reason })
type Session = { userId: string | null; isReadonly: boolean }
const ownerRw: Session = { userId: OWNER, isReadonly: false }
const guestRw: Session = { userId: 'user_guest', isReadonly: false }
const guestRo: Session = { userId: 'user_guest', isReadonly: true }
const anonRw: Session = { userId: null, isReadonly: false }
const anonRo: Session = { userId: null, isReadonly: true }

// prettier-ignore
const CHANGES: Array<[string, FileAccessFields | null, FileAccessFields | null, Session, SessionChangeDecision]> = [
	['rename keeps everyone',                     FILES['edit link'], FILES['edit link'],  guestRw, keep],
	['publish does not touch live sessions',       FILES['view link'], FILES['published + view link'], guestRo, keep],
	['edit → view downgrades a guest',            FILES['edit link'], FILES['view link'],  guestRw, { kind: 'downgrade' }],
	['edit → view downgrades an anonymous user',  FILES['edit link'], FILES['view link'],  anonRw,  { kind: 'downgrade' }],
	['edit → view keeps the owner writing',       FILES['edit link'], FILES['view link'],  ownerRw, keep],
	['view → edit upgrades a read-only guest',    FILES['view link'], FILES['edit link'],  guestRo, { kind: 'upgrade' }],
	['unshare closes a guest as FORBIDDEN',       FILES['edit link'], FILES.private,       guestRw, close(R.FORBIDDEN)],
	['unshare closes anonymous as NOT_AUTHENTICATED', FILES['view link'], FILES.private,   anonRo,  close(R.NOT_AUTHENTICATED)],
	['unshare keeps the owner',                   FILES['edit link'], FILES.private,       ownerRw, keep],
	['delete closes the owner as NOT_FOUND',      FILES.private,      FILES.deleted,       ownerRw, close(R.NOT_FOUND)],
	['delete closes a guest as NOT_FOUND',        FILES['edit link'], FILES.deleted,       guestRw, close(R.NOT_FOUND)],
	['row gone closes as NOT_FOUND',              FILES['edit link'], null,                guestRw, close(R.NOT_FOUND)],
	['unknown old row: decided from the new one', null,               FILES['view link'],  guestRw, { kind: 'downgrade' }],
	['unknown old row: consistent session kept',  null,               FILES['edit link'],  guestRw, keep],
	['ownership moves to the guest: upgrade',     FILES['view link'], file({ ownerId: 'user_guest', shared: true, sharedLinkType: 'view' }), guestRo, { kind: 'upgrade' }],
]

describe('decideSessionChange', () => {
	it.each(CHANGES)('%s', (_name, oldFile, newFile, session, expected) => {
		expect(decideSessionChange(oldFile, newFile, session)).toEqual(expected)
	})
})

describe('httpStatusForDenial', () => {
	it.each([
		[R.NOT_AUTHENTICATED, 401],
		[R.FORBIDDEN, 403],
		[R.NOT_FOUND, 404],
		[R.RATE_LIMITED, 429],
		[R.ROOM_FULL, 503],
		[R.UNKNOWN_ERROR, 500],
		[R.CLIENT_TOO_OLD, 400],
	] as const)('%s → %i', (reason, status) => {
		expect(httpStatusForDenial(reason)).toBe(status)
	})
})
