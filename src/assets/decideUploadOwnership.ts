/** What the bucket already holds under an object name, as far as ownership goes. */
export type ExistingUpload = {
	/** null when the object carries no (valid) owner metadata, e.g. it was put there by hand. */
	userId: string | null
	sha256: string | null
	fileId: string | null
}

export type OwnershipDecision =
	/** Nothing there yet: store it. */
	| { kind: 'create' }
	/** The same user sent the same bytes again (a retry): answer 200 and re-record, write nothing. */
	| { kind: 'same'; existing: ExistingUpload }
	/** Refuse with 409: someone else's object, or different bytes under a name already served as immutable. */
	| { kind: 'conflict'; reason: 'other-user' | 'different-content' }

/**
 * May `incoming` be stored under a name that may already exist? Objects are never overwritten: they are
 * served with `Cache-Control: immutable` for a year, so replacing the bytes would leave caches showing
 * the old ones, and replacing another user's object would let anyone deface any board that embeds it.
 * A byte-identical retry by the uploader is idempotent, because a client that lost the first response
 * (or a queue send that failed after the R2 write) must be able to try again.
 */
export function decideUploadOwnership(existing: ExistingUpload | null, incoming: { userId: string; sha256: string }): OwnershipDecision {
	if (existing === null) return { kind: 'create' }
	if (existing.userId !== incoming.userId) return { kind: 'conflict', reason: 'other-user' }
	if (existing.sha256 !== incoming.sha256) return { kind: 'conflict', reason: 'different-content' }
	return { kind: 'same', existing }
}
