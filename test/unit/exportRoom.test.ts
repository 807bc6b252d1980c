import { describe, expect, it } from 'vitest'
import { exportRoom, type ExportTarget } from '../../src/room/exportRoom'
import type { ExportState, VersionRow } from '../../src/room/RoomMetaStore'
import { MemorySnapshotStore } from '../fakes/MemorySnapshotStore'

function memoryMeta(): ExportTarget & { versions: Omit<VersionRow, 'id'>[]; state: ExportState } {
	const meta = {
		versions: [] as Omit<VersionRow, 'id'>[],
		state: { lastHash: null, lastExportedClock: null, failures: 0 } as ExportState,
		getExportState: () => meta.state,
		markExported: (clock: number) => {
			meta.state = { ...meta.state, lastExportedClock: clock, failures: 0 }
		},
		recordVersion: (v: Omit<VersionRow, 'id'>) => {
			meta.versions.push(v)
			meta.state = { lastHash: v.hash, lastExportedClock: v.clock, failures: 0 }
		},
	}
	return meta
}

describe('exportRoom', () => {
	it('writes a version, skips identical content, and writes again when content changes', async () => {
		const store = new MemorySnapshotStore()
		const meta = memoryMeta()
		const common = { roomKey: 'room:x' as const, meta, store }
		const first = await exportRoom({ ...common, clock: 1, snapshotJson: '{"a":1}', now: Date.UTC(2026, 0, 1) })
		expect(first).toMatchObject({ kind: 'write', historyKey: 'room/x/2026-01-01T00:00:00.000Z', bytes: 7 })
		const same = await exportRoom({ ...common, clock: 2, snapshotJson: '{"a":1}', now: Date.UTC(2026, 0, 2) })
		expect(same).toMatchObject({ kind: 'skip', why: 'unchanged' })
		const changed = await exportRoom({ ...common, clock: 3, snapshotJson: '{"a":2}', now: Date.UTC(2026, 0, 3) })
		expect(changed.kind).toBe('write')
		expect([...store.history.keys()]).toEqual(['room/x/2026-01-01T00:00:00.000Z', 'room/x/2026-01-03T00:00:00.000Z'])
		expect(store.latest.get('room:x')).toBe('{"a":2}')
		expect(meta.versions.map((v) => v.clock)).toEqual([1, 3])
	})

	it('records nothing when the store fails, so the next attempt writes the version', async () => {
		const store = new MemorySnapshotStore()
		store.failNext = 1
		const meta = memoryMeta()
		const opts = { roomKey: 'room:y' as const, meta, store, clock: 4, snapshotJson: '{"b":1}', now: 0 }
		await expect(exportRoom(opts)).rejects.toThrow('simulated R2 failure')
		expect(meta.versions).toHaveLength(0)
		expect(await exportRoom(opts)).toMatchObject({ kind: 'write' })
		expect(store.history.size).toBe(1)
	})
})
