import type { FileRow } from '../db/schema'

export type PublicationAction = { kind: 'publish'; slug: string } | { kind: 'unpublish'; slug: string } | { kind: 'none' }

type PublicationFields = Pick<FileRow, 'published' | 'publishedSlug' | 'lastPublished' | 'isDeleted'>

/**
 * What a file row change means for its published copy: every publish (first or again, which moves
 * `lastPublished`) copies the current document; unpublishing or deleting removes it from its URL.
 */
export function planPublication(before: PublicationFields, after: PublicationFields): PublicationAction {
	const slug = after.publishedSlug ?? before.publishedSlug
	if (!slug) return { kind: 'none' }
	const wasLive = before.published && !before.isDeleted
	const isLive = after.published && !after.isDeleted
	if (isLive && (!wasLive || after.lastPublished?.getTime() !== before.lastPublished?.getTime())) return { kind: 'publish', slug }
	if (wasLive && !isLive) return { kind: 'unpublish', slug }
	return { kind: 'none' }
}
