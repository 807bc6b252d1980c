import { decideSessionChange, type FileAccessFields, type SessionChangeDecision } from './decideRoomAccess'

/** The part of a file row a live room needs: access columns and the name shown in the document. */
export type FileFacts = FileAccessFields & { name: string }

export interface LiveSession {
	sessionId: string
	userId: string | null
	isReadonly: boolean
}

export interface FileChangePlan {
	/** Sessions whose access changed; sessions to keep are left out. */
	sessions: Array<{ sessionId: string; decision: Exclude<SessionChangeDecision, { kind: 'keep' }> }>
	/** The document name to write, or null when it already matches. */
	rename: string | null
}

/** What a file's live room does when its row changes: which sessions to end or rejoin, and the new name. */
export function planFileChange(
	before: FileFacts | null,
	after: FileFacts | null,
	sessions: readonly LiveSession[],
	documentName: string | null,
): FileChangePlan {
	const changed: FileChangePlan['sessions'] = []
	for (const s of sessions) {
		const decision = decideSessionChange(before, after, s)
		if (decision.kind !== 'keep') changed.push({ sessionId: s.sessionId, decision })
	}
	const rename = after && !after.isDeleted && after.name !== (documentName ?? '') ? after.name : null
	return { sessions: changed, rename }
}
