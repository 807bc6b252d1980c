import { describe, expect, it } from 'vitest'
import { applyFileRowChange } from '../../src/files/applyFileRowChange'
import { published, replicated, row, T1, T2, world } from '../fakes/fileRowChangeWorld'

describe('applyFileRowChange', () => {
	it('tells the file’s room the access facts before and after (a rename), and writes nothing to R2', async () => {
		const w = world()
		await applyFileRowChange(w.deps, row(), row({ name: 'Renamed' }))
		expect(w.calls).toEqual([
			{
				roomKey: 'file:f1',
				before: { ownerId: 'alice', shared: false, sharedLinkType: 'edit', published: false, isDeleted: false, name: 'Plans' },
				after: { ownerId: 'alice', shared: false, sharedLinkType: 'edit', published: false, isDeleted: false, name: 'Renamed' },
			},
		])
		expect([...w.objects.keys()]).toEqual([])
	})

	it('publishing copies the room’s document (read with the file’s address) to the slug and its history', async () => {
		const w = world()
		await applyFileRowChange(w.deps, row(), published(T1))
		expect(w.reads).toEqual([{ roomKey: 'file:f1', createSource: 'import' }])
		expect([...w.objects.keys()].sort()).toEqual(['published-history/slug1/2026-11-30T09:00:00.000Z', 'published/slug1'])
		expect(JSON.parse(w.objects.get('published/slug1')!)).toEqual({ clock: 7, documents: [] })
	})

	it('the same publish applied again (the replicator after the API, dates as strings) copies nothing new', async () => {
		const w = world()
		await applyFileRowChange(w.deps, row(), published(T1))
		await applyFileRowChange(w.deps, replicated(row()), replicated(published(T1)))
		expect(w.reads).toHaveLength(1)
		expect(w.calls).toHaveLength(2)
	})

	it('publishing again makes a new copy', async () => {
		const w = world()
		await applyFileRowChange(w.deps, row(), published(T1))
		await applyFileRowChange(w.deps, published(T1), published(T2))
		expect([...w.objects.keys()].filter((k) => k.startsWith('published-history/'))).toHaveLength(2)
	})

	it.each([
		['unpublishing', published(T1), published(T1, { published: false })],
		['deleting a published file', published(T1), published(T1, { isDeleted: true })],
		['a published row that is gone', published(T1), null],
	])('%s removes the published copy', async (_name, before, after) => {
		const w = world()
		await applyFileRowChange(w.deps, before, after)
		expect(w.deleted).toEqual(['published/slug1'])
		expect(w.calls.map((c) => c.after)).toEqual([after && expect.objectContaining({ isDeleted: after.isDeleted })])
	})

	it('retries the room up to 3 times, then fails so the replicator keeps the effect', async () => {
		const twice = world(2)
		await applyFileRowChange(twice.deps, row(), row({ shared: true }))
		expect(twice.calls).toHaveLength(1)
		const thrice = world(3)
		await expect(applyFileRowChange(thrice.deps, row(), row({ shared: true }))).rejects.toThrow('room unreachable')
		expect(thrice.calls).toEqual([])
	})

	it('rejects a row that is not a file row, and ignores a change with no rows', async () => {
		const w = world()
		await expect(applyFileRowChange(w.deps, null, { id: 'f1' })).rejects.toThrow()
		await applyFileRowChange(w.deps, null, null)
		expect(w.calls).toEqual([])
	})
})
