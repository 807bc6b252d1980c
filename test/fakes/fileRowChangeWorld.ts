/** A fake file room and SNAPSHOTS bucket for applyFileRowChange, and file rows as the API and replication give them. */
import type { RoomSnapshot } from '@tldraw/sync-core'
import type { FileRoom, FileRowChangeDeps } from '../../src/files/applyFileRowChange'
import type { FileFacts } from '../../src/files/planFileChange'
import type { RoomAddress } from '../../src/room/RoomAddress'

export const T1 = new Date('2026-11-30T09:00:00.000Z')
export const T2 = new Date('2026-11-30T10:00:00.000Z')
export const row = (over: Record<string, unknown> = {}) => ({
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
export const published = (at: Date, over: Record<string, unknown> = {}) => row({ published: true, publishedSlug: 'slug1', lastPublished: at, ...over })
/** The same row as replication delivers it: dates as ISO strings. */
export const replicated = (r: Record<string, unknown>) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>

/**
 * A room and an R2 bucket that record what they were asked; the room fails its first `failures` calls, and
 * the bucket's first `failPuts` puts of `failPutOf` fail (a write interrupted half-way).
 */
export function world(failures = 0, failPutOf: string | null = null, failPuts = 1) {
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
			get: async (key: string) => (objects.has(key) ? ({ key, text: async () => objects.get(key)! } as unknown as R2ObjectBody) : null),
			put: async (key: string, value: unknown) => {
				if (key === failPutOf && failPuts-- > 0) {
					throw new Error(`R2 put of ${key} failed`)
				}
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

