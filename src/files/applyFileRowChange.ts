import { z } from 'zod'
import { deleteAllFrozenSnapshots } from './frozenSnapshots'
import type { RoomSnapshot } from '@tldraw/sync-core'
import type { Env } from '../env'
import { fileRoomAddress, type RoomAddress } from '../room/RoomAddress'
import { publishedHistoryKey, publishedSnapshotKey, type RoomKey } from '../storage/keys'
import { roomStub } from '../stubs'
import type { FileFacts } from './planFileChange'
import { planPublication } from './planPublication'

/** A file row as the API (Dates) or replication (ISO strings) delivers it. */
const FileRowSchema = z.looseObject({
	id: z.string(),
	ownerId: z.string(),
	name: z.string(),
	shared: z.boolean(),
	sharedLinkType: z.enum(['view', 'edit']),
	published: z.boolean(),
	publishedSlug: z.string().nullable(),
	lastPublished: z.coerce.date().nullable(),
	isDeleted: z.boolean(),
	createSource: z.string().nullable().optional(),
})
type ParsedFileRow = z.infer<typeof FileRowSchema>

/** The two calls this needs of a file's room (RoomDurableObject's RPC methods). */
export interface FileRoom {
	applyFileChange(before: FileFacts | null, after: FileFacts | null): Promise<unknown>
	readSnapshot(address: RoomAddress): Promise<{ snapshot: RoomSnapshot }>
}

export interface FileRowChangeDeps {
	room: (roomKey: RoomKey) => FileRoom
	snapshots: Pick<R2Bucket, 'get' | 'put' | 'delete'>
	/** Removes the file's frozen snapshots (once it is deleted). */
	deleteFrozenSnapshots?: (fileId: string) => Promise<void>
}

/** The real rooms and R2 bucket, for the API and the replicator. */
export function fileRowChangeDeps(env: Pick<Env, 'ROOM' | 'SNAPSHOTS'>): FileRowChangeDeps {
	return { room: (roomKey) => roomStub(env, roomKey), snapshots: env.SNAPSHOTS, deleteFrozenSnapshots: (fileId) => deleteAllFrozenSnapshots(env.SNAPSHOTS, fileId) }
}

const ATTEMPTS = 3

/**
 * Everything a changed file row means outside Postgres, idempotent so the API (at once) and the
 * replicator (for changes made anywhere, retried) can both apply it: the live room re-checks its
 * sessions and name, and the published copy follows `published`.
 */
export async function applyFileRowChange(deps: FileRowChangeDeps, rawBefore: unknown, rawAfter: unknown): Promise<void> {
	const before = rawBefore == null ? null : FileRowSchema.parse(rawBefore)
	const after = rawAfter == null ? null : FileRowSchema.parse(rawAfter)
	const row = after ?? before
	if (!row) return
	const address = fileRoomAddress(row)
	const stub = deps.room(address.roomKey)
	await withRetry(() => stub.applyFileChange(before && facts(before), after && facts(after)))
	// A deleted file takes its frozen snapshots with it (idempotent, so replaying the change is harmless).
	if (!after || after.isDeleted) await deps.deleteFrozenSnapshots?.(row.id)

	const publication = planPublication(before ?? { ...after!, published: false }, after ?? { ...before!, isDeleted: true })
	switch (publication.kind) {
		case 'publish': {
			// One copy per publish event, named by its lastPublished time: when the API and then the
			// replicator apply the same change, the second sees the copy exists and leaves it alone (a
			// later copy would publish edits made after the owner pressed publish).
			// The history copy is written first and is this event's content: applied again (or retried after
			// the slug's write failed), the slug gets that copy, never a fresh read of the room.
			const historyKey = publishedHistoryKey(publication.slug, (after?.lastPublished ?? new Date()).getTime())
			const httpMetadata = { contentType: 'application/json' }
			let json = await (await deps.snapshots.get(historyKey))?.text()
			if (json === undefined) {
				json = JSON.stringify((await stub.readSnapshot(address)).snapshot)
				await deps.snapshots.put(historyKey, json, { httpMetadata })
			}
			await deps.snapshots.put(publishedSnapshotKey(publication.slug), json, { httpMetadata })
			return
		}
		case 'unpublish':
			await deps.snapshots.delete(publishedSnapshotKey(publication.slug))
			return
		case 'none':
			return
	}
}

function facts(f: ParsedFileRow): FileFacts {
	return { ownerId: f.ownerId, shared: f.shared, sharedLinkType: f.sharedLinkType, published: f.published, isDeleted: f.isDeleted, name: f.name }
}

async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await fn()
		} catch (err) {
			if (attempt >= ATTEMPTS) throw err
			await new Promise((r) => setTimeout(r, 50 * attempt))
		}
	}
}
