import type { RoomSnapshot } from '@tldraw/sync-core'
import { describe, expect, it } from 'vitest'
import { applyFileRowChange, type FileRoom, type FileRowChangeDeps } from '../../src/files/applyFileRowChange'
import type { FileFacts } from '../../src/files/planFileChange'
import type { RoomAddress } from '../../src/room/RoomAddress'

const T1 = new Date('2026-11-30T09:00:00.000Z')
const T2 = new Date('2026-11-30T10:00:00.000Z')
const row = (over: Record<string, unknown> = {}) => ({
	id: 'f1',
	ownerId: 'alice',
	name: 'Plans',
	shared: false,
	sharedLinkType: 'edit',
	published: false,
	publishedSlug: null,
	lastPublished: null,
	isDeleted: false,
	createSource: 'import',
	thumbnail: '',
	...over,
})
const published = (at: Date, over: Record<string, unknown> = {}) => row({ published: true, publishedSlug: 'slug1', lastPublished: at, ...over })
/** The same row as replication delivers it: dates as ISO strings. */
const replicated = (r: Record<string, unknown>) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>

/** A room and an R2 bucket that record what they were asked; the room fails its first `failures` calls. */
function world(failures = 0) {
	const calls: Array<{ roomKey: string; before: FileFacts | null; after: FileFacts | null }> = []
	const reads: RoomAddress[] = []
	const objects = new Map<string, string>()
	const deleted: string[] = []
	let toFail = failures
	const deps: FileRowChangeDeps = {
		room: (roomKey): FileRoom => ({
			async applyFileChange(before, after) {
				if (toFail-- > 0) throw new Error('room unreachable')
				calls.push({ roomKey, before, after })
				return { closed: 0, rejoined: 0 }
			},
			async readSnapshot(address) {
				reads.push(address)
				return { snapshot: { clock: 7, documents: [] } as unknown as RoomSnapshot }
			},
		}),
		snapshots: {
			head: async (key: string) => (objects.has(key) ? ({ key } as R2Object) : null),
			put: async (key: string, value: unknown) => {
				objects.set(key, String(value))
				return { key } as R2Object
			},
			delete: async (keys: string | string[]) => {
				for (const k of [keys].flat()) {
					objects.delete(k)
					deleted.push(k)
				}
			},
		} as FileRowChangeDeps['snapshots'],
	}
	return { deps, calls, reads, objects, deleted }
}

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
