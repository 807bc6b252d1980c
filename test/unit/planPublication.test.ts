import { describe, expect, it } from 'vitest'
import { planPublication } from '../../src/files/planPublication'

const t1 = new Date('2026-11-01T00:00:00Z')
const t2 = new Date('2026-11-02T00:00:00Z')
const row = (published: boolean, lastPublished: Date | null, isDeleted = false, publishedSlug: string | null = 'slug1') => ({ published, lastPublished, isDeleted, publishedSlug })

describe('planPublication', () => {
	it.each([
		['first publish', row(false, null, false, null), row(true, t1), { kind: 'publish', slug: 'slug1' }],
		['republish updates the copy', row(true, t1), row(true, t2), { kind: 'publish', slug: 'slug1' }],
		['a rename of a published file changes nothing', row(true, t1), row(true, t1), { kind: 'none' }],
		['unpublish removes it', row(true, t1), row(false, t1), { kind: 'unpublish', slug: 'slug1' }],
		['deleting a published file removes it', row(true, t1), row(true, t1, true), { kind: 'unpublish', slug: 'slug1' }],
		['never published', row(false, null, false, null), row(false, null, false, null), { kind: 'none' }],
		['publishing again after unpublish', row(false, t1), row(true, t2), { kind: 'publish', slug: 'slug1' }],
	] as const)('%s', (_name, before, after, expected) => {
		expect(planPublication(before, after)).toEqual(expected)
	})
})
