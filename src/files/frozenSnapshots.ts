/**
 * Frozen snapshots (POST /snapshots): a public copy of a document under a random slug, `snapshots/<slug>`
 * in R2 `SNAPSHOTS`. A file's snapshots also leave a marker `snapshots-by-file/<fileId>/<slug>` (who froze
 * it, when), so its owner can list and delete them and deleting the file removes them all.
 */
import { forEachKey } from '../storage/forEachKey'
import { frozenByFileKey, frozenByFilePrefix, sharedSnapshotKey } from '../storage/keys'

export interface FrozenSnapshot {
	slug: string
	createdAt: string | null
	createdBy: string | null
}

type Bucket = Pick<R2Bucket, 'put' | 'head' | 'delete' | 'list'>

export async function freezeSnapshot(bucket: Bucket, input: { fileId: string | null; slug: string; json: string; createdBy: string | null }) {
	// The marker first: a snapshot of a file must never exist without the marker that finds it again.
	if (input.fileId) {
		await bucket.put(frozenByFileKey(input.fileId, input.slug), '', {
			customMetadata: { createdAt: new Date().toISOString(), ...(input.createdBy ? { createdBy: input.createdBy } : {}) },
		})
	}
	await bucket.put(sharedSnapshotKey(input.slug), input.json, { httpMetadata: { contentType: 'application/json' } })
}

export async function listFrozenSnapshots(bucket: Bucket, fileId: string): Promise<FrozenSnapshot[]> {
	const prefix = frozenByFilePrefix(fileId)
	const out: FrozenSnapshot[] = []
	let cursor: string | undefined
	do {
		const page = await bucket.list({ prefix, limit: 1000, cursor, include: ['customMetadata'] })
		for (const o of page.objects) {
			out.push({ slug: o.key.slice(prefix.length), createdAt: o.customMetadata?.createdAt ?? null, createdBy: o.customMetadata?.createdBy ?? null })
		}
		cursor = page.truncated ? page.cursor : undefined
	} while (cursor)
	return out.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))
}

/** Deletes one of the file's snapshots; false when `slug` is not one of this file's. */
export async function deleteFrozenSnapshot(bucket: Bucket, fileId: string, slug: string): Promise<boolean> {
	if (!(await bucket.head(frozenByFileKey(fileId, slug)))) return false
	// The snapshot before its marker, so a retry still finds it.
	await bucket.delete(sharedSnapshotKey(slug))
	await bucket.delete(frozenByFileKey(fileId, slug))
	return true
}

/** Deletes every frozen snapshot of the file (idempotent). */
export async function deleteAllFrozenSnapshots(bucket: Bucket, fileId: string): Promise<void> {
	const prefix = frozenByFilePrefix(fileId)
	await forEachKey(bucket, prefix, async (keys) => {
		await bucket.delete(keys.map((k) => sharedSnapshotKey(k.slice(prefix.length))))
		await bucket.delete(keys)
	})
}
