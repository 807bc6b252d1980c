/** What a purge job has done so far, as its store reports it. */
export interface PurgeState {
	collected: boolean
	rowsDeleted: boolean
	/** Files whose room and R2 objects are not purged yet, in order. */
	pendingFiles: readonly string[]
	pendingAssets: number
	/** Rooms of others' files where the user's sessions are not closed yet, in order. */
	pendingRooms: readonly string[]
}

export type PurgeStep =
	| { kind: 'collect' }
	| { kind: 'purge-file'; fileId: string }
	| { kind: 'purge-assets' }
	| { kind: 'delete-rows' }
	| { kind: 'close-sessions'; fileId: string }
	| { kind: 'finish' }

/**
 * The next step of DELETE /app/me's purge (pure: table-tested). Files are purged outside Postgres first
 * (rooms, R2), then uploads, then the Postgres rows in one transaction; files that appeared meanwhile come
 * back from that transaction and are purged after it. Last, the user's sessions in rooms of other people's
 * files are closed, room by room: by then no new one can open (the id was retired when the job began), and
 * the list was recorded before the rows that name those rooms went. Every step is idempotent, so a job
 * that crashed half-way simply runs its next step again.
 */
export function nextPurgeStep(s: PurgeState): PurgeStep {
	if (!s.collected) return { kind: 'collect' }
	const next = s.pendingFiles[0]
	if (next !== undefined) return { kind: 'purge-file', fileId: next }
	if (s.pendingAssets > 0) return { kind: 'purge-assets' }
	if (!s.rowsDeleted) return { kind: 'delete-rows' }
	const room = s.pendingRooms[0]
	if (room !== undefined) return { kind: 'close-sessions', fileId: room }
	return { kind: 'finish' }
}
