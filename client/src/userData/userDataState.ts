import type { ServerMessage, WireChange, WireFileRow, WireFileStateRow, WireUserRow } from '../../../src/user/protocol'

/**
 * The signed-in user's data as the user socket (/app/:userId/connect) delivers it: `init`, then row
 * `changes` as Postgres commits them (README "User data socket"). Pure, so the list logic is testable.
 */
export type UserDataState = {
	user: WireUserRow | null
	files: Readonly<Record<string, WireFileRow>>
	/** My file states, by file id. */
	fileStates: Readonly<Record<string, WireFileStateRow>>
}

export const EMPTY_USER_DATA: UserDataState = { user: null, files: {}, fileStates: {} }

export function applyServerMessage(state: UserDataState, message: ServerMessage, myUserId: string): UserDataState {
	switch (message.type) {
		case 'init':
			return {
				user: message.user,
				files: Object.fromEntries(message.files.map((f) => [f.id, f])),
				fileStates: Object.fromEntries(message.fileStates.filter((s) => s.userId === myUserId).map((s) => [s.fileId, s])),
			}
		case 'changes':
			return message.changes.reduce((s, change) => applyChange(s, change as WireChange, myUserId), state)
		case 'commit':
		case 'reject':
		case 'resync':
			return state
	}
}

function applyChange(state: UserDataState, change: WireChange, myUserId: string): UserDataState {
	switch (change.table) {
		case 'user': {
			if (change.row.id !== myUserId) return state
			if (change.op === 'delete') return { ...state, user: null }
			return { ...state, user: { ...(state.user ?? {}), ...change.row } as WireUserRow }
		}
		case 'file': {
			const id = change.row.id as string
			if (change.op === 'delete') return { ...state, files: without(state.files, id) }
			// An update carries what changed (and the key); merge it into what we have.
			return { ...state, files: { ...state.files, [id]: { ...state.files[id], ...change.row } as WireFileRow } }
		}
		case 'file_state': {
			if (change.row.userId !== myUserId) return state
			const fileId = change.row.fileId as string
			if (change.op === 'delete') return { ...state, fileStates: without(state.fileStates, fileId) }
			return { ...state, fileStates: { ...state.fileStates, [fileId]: { ...state.fileStates[fileId], ...change.row } as WireFileStateRow } }
		}
		case 'asset':
		case 'user_mutation_number':
			return state
	}
}

/** A file row fetched over HTTP for a file state whose file row the socket has not sent (shared with me). */
export function addFetchedFile(state: UserDataState, file: WireFileRow): UserDataState {
	if (state.files[file.id]) return state
	return { ...state, files: { ...state.files, [file.id]: file } }
}

/** File states that have no file row yet (a file shared with me that I just opened). */
export function missingFileIds(state: UserDataState): string[] {
	return Object.keys(state.fileStates).filter((id) => !state.files[id])
}

export type FileListEntry = { file: WireFileRow; isOwner: boolean; isPinned: boolean; lastVisitAt: string | null }

/** Mine and those shared with me that I opened, not deleted; pinned first, then most recently used. */
export function listFiles(state: UserDataState, myUserId: string): FileListEntry[] {
	const entries: FileListEntry[] = []
	for (const file of Object.values(state.files)) {
		if (file.isDeleted) continue
		const fileState = state.fileStates[file.id]
		const isOwner = file.ownerId === myUserId
		if (!isOwner && !fileState) continue
		entries.push({ file, isOwner, isPinned: fileState?.isPinned ?? false, lastVisitAt: fileState?.lastVisitAt ?? null })
	}
	const recency = (e: FileListEntry) => Math.max(Date.parse(e.lastVisitAt ?? '') || 0, Date.parse(e.file.updatedAt) || 0)
	return entries.sort((a, b) => Number(b.isPinned) - Number(a.isPinned) || recency(b) - recency(a) || a.file.id.localeCompare(b.file.id))
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
	const { [key]: _removed, ...rest } = record
	return rest
}
