import { z } from 'zod'
import type { RoomDurableObject } from '../../durable-objects/RoomDurableObject'
import { publishedHistoryKey, publishedSnapshotKey, roomKeyForFile } from '../storage/keys'
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

export interface FileRowChangeDeps {
	rooms: DurableObjectNamespace<RoomDurableObject>
	snapshots: R2Bucket
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
	const fileId = (after ?? before)?.id
	if (!fileId) return
	const stub = deps.rooms.get(deps.rooms.idFromName(roomKeyForFile(fileId)))
	await withRetry(() => stub.applyFileChange(before && facts(before), after && facts(after)))

	const publication = planPublication(before ?? { ...after!, published: false }, after ?? { ...before!, isDeleted: true })
	switch (publication.kind) {
		case 'publish': {
			// One copy per publish event, named by its lastPublished time: when the API and then the
			// replicator apply the same change, the second sees the copy exists and leaves it alone (a
			// later copy would publish edits made after the owner pressed publish).
			const historyKey = publishedHistoryKey(publication.slug, (after?.lastPublished ?? new Date()).getTime())
			if (await deps.snapshots.head(historyKey)) return
			const { snapshot } = await stub.readSnapshot({ roomKey: roomKeyForFile(fileId), createSource: after?.createSource ?? null })
			const json = JSON.stringify(snapshot)
			const httpMetadata = { contentType: 'application/json' }
			await deps.snapshots.put(historyKey, json, { httpMetadata })
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
