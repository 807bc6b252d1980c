import type { RoomSnapshot } from '@tldraw/sync-core'
import { describe, expect, it } from 'vitest'
import { loadInitialSnapshot, type InitialSource } from '../../src/room/loadInitialSnapshot'
import type { RoomKey } from '../../src/storage/keys'
import { FakeImportStore } from '../fakes/FakeImportStore'
import { MemorySnapshotStore } from '../fakes/MemorySnapshotStore'

/** A room snapshot whose one page is named `name`, so a test can tell where a start came from. */
const snap = (name: string): RoomSnapshot => ({
	clock: 1,
	documents: [{ state: { id: 'page:p', typeName: 'page', name, index: 'a1', meta: {} } as never, lastChangedClock: 1 }],
	schema: undefined,
})
const pageName = (s: RoomSnapshot | undefined) => (s?.documents[0]?.state as { name?: string } | undefined)?.name

type World = { latest?: Partial<Record<RoomKey, string>>; imports?: Record<string, string> }

async function start(roomKey: RoomKey, createSource: string | null, world: World) {
	const snapshots = new MemorySnapshotStore()
	for (const [key, name] of Object.entries(world.latest ?? {})) snapshots.latest.set(key as RoomKey, JSON.stringify(snap(name!)))
	const imports = new FakeImportStore()
	for (const [fileId, name] of Object.entries(world.imports ?? {})) imports.imports.set(fileId, snap(name) as never)
	const result = await loadInitialSnapshot({ roomKey, createSource, snapshots, imports })
	return [result.source, pageName(result.snapshot) ?? null] as const
}

// prettier-ignore
const TABLE: Array<[string, RoomKey, string | null, World, InitialSource, string | null]> = [
	['a room with R2 history starts from it',              'file:f', null,           { latest: { 'file:f': 'saved' } },                        'r2-latest', 'saved'],
	['R2 history wins over the create source',             'file:f', 'import',       { latest: { 'file:f': 'saved' }, imports: { f: 'up' } },  'r2-latest', 'saved'],
	['an imported file starts from its upload',            'file:f', 'import',       { imports: { f: 'uploaded' } },                           'import',    'uploaded'],
	['an import that is missing: empty',                   'file:f', 'import',       {},                                                       'empty',     null],
	['a duplicate starts from the source file’s history',  'file:f', 'duplicate:g',  { latest: { 'file:g': 'original' } },                    'duplicate', 'original'],
	['a duplicate of a file with no history: empty',       'file:f', 'duplicate:g',  {},                                                       'empty',     null],
	['no create source: empty',                            'file:f', null,           {},                                                       'empty',     null],
	['an unknown create source: empty',                    'file:f', 'teleport:x',   { imports: { f: 'up' } },                                 'empty',     null],
	['an anonymous room starts from its history',          'room:r', null,           { latest: { 'room:r': 'anon' } },                         'r2-latest', 'anon'],
	['an anonymous room never reads a create source',      'room:r', 'import',       { imports: { r: 'up' } },                                 'empty',     null],
]

describe('loadInitialSnapshot', () => {
	it.each(TABLE)('%s', async (_name, roomKey, createSource, world, source, page) => {
		expect(await start(roomKey, createSource, world)).toEqual([source, page])
	})
})
