import { InMemorySyncStorage } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { schema } from '../../schema/index.ts'
import { describe, expect, it } from 'vitest'
import { geoShape } from '../helpers/protocolClient'
import { applyRecordChanges } from '../../src/room/applyRecordChanges'
import { diffSnapshots } from '../../src/room/diffSnapshots'
import { CHECKPOINT_EVERY_VERSIONS, chooseVersionKind, planRelinks, planRetention, type ChainRow } from '../../src/room/historyPolicy'

const H = 60 * 60 * 1000
const D = 24 * H
const snap = (...states: Array<{ id: string; [k: string]: unknown }>) => ({ documents: states.map((state) => ({ state, lastChangedClock: 0 })) }) as never

describe('diffSnapshots', () => {
	it.each([
		['identical', snap({ id: 'a', x: 1 }), snap({ id: 'a', x: 1 }), { added: [], removed: [], changed: [] }],
		['added', snap(), snap({ id: 'a' }), { added: ['a'], removed: [], changed: [] }],
		['removed', snap({ id: 'a' }), snap(), { added: [], removed: ['a'], changed: [] }],
		['changed deep', snap({ id: 'a', p: { w: 1 } }), snap({ id: 'a', p: { w: 2 } }), { added: [], removed: [], changed: ['a'] }],
		['key order does not matter', snap({ id: 'a', x: 1, y: 2 }), snap({ y: 2, x: 1, id: 'a' }), { added: [], removed: [], changed: [] }],
		['mixed, sorted by id', snap({ id: 'b' }, { id: 'c', v: 1 }), snap({ id: 'c', v: 2 }, { id: 'z' }, { id: 'a' }), { added: ['a', 'z'], removed: ['b'], changed: ['c'] }],
	])('%s', (_name, from, to, expected) => {
		const d = diffSnapshots(from, to)
		expect({ added: d.added.map((r) => r.id), removed: d.removed.map((r) => r.id), changed: d.changed.map((c) => c.id) }).toEqual(expected)
	})
})

describe('planRetention', () => {
	const now = Date.UTC(2026, 10, 23, 12, 0, 0)
	it.each([
		['keeps everything from the last day', [now - 1000, now - 2 * H, now - 23 * H], []],
		['thins older versions to one per hour (keeps the newest in the hour)', [now - 30 * H - 600_000, now - 30 * H - 660_000, now - 30 * H - 720_000], [2, 3]],
		['keeps one per hour across different hours', [now - 30 * H, now - 31 * H, now - 32 * H], []],
		['thins versions older than a week to one per day', [now - 10 * D, now - 10 * D - 2 * H, now - 10 * D - 4 * H], [2, 3]],
		['always keeps the newest version even when old', [now - 100 * D, now - 100 * D - 1000], [2]],
	] as const)('%s', (_name, times, doomed) => {
		// ids 1..n in the order given; the first is the newest in every row
		const versions = times.map((createdAt, i) => ({ id: i + 1, createdAt }))
		expect(planRetention(versions, now)).toEqual(doomed)
	})

	it('keeps history bounded: a year of exports every 8 s leaves ~a day + a week of hours + a year of days', () => {
		const versions = []
		let id = 0
		for (let t = now - 365 * D; t <= now; t += 8_000 * 450) versions.push({ id: ++id, createdAt: t }) // every hour here, for speed
		const kept = versions.length - planRetention(versions, now).length
		expect(kept).toBeLessThanOrEqual(24 + 6 * 24 + 366 + 2)
		expect(kept).toBeGreaterThan(300)
	})
})

describe('chooseVersionKind', () => {
	const N = CHECKPOINT_EVERY_VERSIONS
	it.each([
		['no chain yet (first version, or one written before chains without an index)', null, 10, 'checkpoint'],
		['a small change on a short chain', { length: 3, bytes: 3_000, checkpointBytes: 1_000_000 }, 1_000, 'changes'],
		['the chain is full', { length: N, bytes: 3_000, checkpointBytes: 1_000_000 }, 1_000, 'checkpoint'],
		['one more still fits', { length: N - 1, bytes: 3_000, checkpointBytes: 1_000_000 }, 1_000, 'changes'],
		['changes would pass half a checkpoint', { length: 2, bytes: 400_000, checkpointBytes: 1_000_000 }, 100_001, 'checkpoint'],
		['changes reach exactly half a checkpoint', { length: 2, bytes: 400_000, checkpointBytes: 1_000_000 }, 100_000, 'changes'],
	] as const)('%s', (_name, chain, bytes, expected) => {
		expect(chooseVersionKind(chain, bytes)).toBe(expected)
	})
})

describe('planRelinks', () => {
	// c = checkpoint, d = change set; ids 1..n in chain order
	const rows = (kinds: string): ChainRow[] => [...kinds].map((k, i) => ({ id: i + 1, kind: k === 'c' ? 'checkpoint' : 'changes' }))
	it.each([
		['nothing dropped', 'cddd', [], []],
		['a dropped change set: the next one absorbs it, from the previous kept version', 'cddd', [2], [{ id: 3, kind: 'changes', baseId: 1 }]],
		['a dropped run of change sets', 'cdddd', [2, 3, 4], [{ id: 5, kind: 'changes', baseId: 1 }]],
		['a dropped checkpoint before kept change sets: the next one relinks to the previous kept version', 'cdcdd', [3], [{ id: 4, kind: 'changes', baseId: 2 }]],
		['a dropped first checkpoint: the next kept change set becomes a checkpoint', 'cdd', [1], [{ id: 2, kind: 'checkpoint', baseId: null }]],
		['a kept checkpoint after dropped versions needs nothing', 'cddc', [2, 3], []],
		['the dropped tail before a checkpoint, then untouched change sets', 'cdcd', [2], []],
	] as const)('%s', (_name, kinds, dropped, expected) => {
		expect(planRelinks(rows(kinds), new Set(dropped))).toEqual(expected)
	})

	it('makes a checkpoint rather than grow a chain past CHECKPOINT_EVERY_VERSIONS', () => {
		const kinds = 'c' + 'd'.repeat(CHECKPOINT_EVERY_VERSIONS - 1) + 'c' + 'dd'
		// Dropping the second checkpoint would link 2 more change sets onto a chain of N - 1.
		const second = CHECKPOINT_EVERY_VERSIONS + 1
		expect(planRelinks(rows(kinds), new Set([second]))).toEqual([{ id: second + 1, kind: 'checkpoint', baseId: null }])
	})
})

describe('applyRecordChanges', () => {
	const storage = () => new InMemorySyncStorage<TLRecord>({})

	it('applies valid records when the clock matches, and rejects a stale clock without changing anything', () => {
		const s = storage()
		const clock = s.getClock()
		const ok = applyRecordChanges(s, schema, { put: [geoShape('a', 1, 2)], remove: [], expectedClock: clock })
		expect(ok.kind).toBe('applied')
		const stale = applyRecordChanges(s, schema, { put: [geoShape('b')], remove: ['shape:a'], expectedClock: clock })
		expect(stale).toEqual({ kind: 'conflict', clock: (ok as { clock: number }).clock })
		expect(s.getSnapshot().documents.map((d) => d.state.id)).toContain('shape:a')
		expect(s.getSnapshot().documents.map((d) => d.state.id)).not.toContain('shape:b')
	})

	it.each([
		['an unknown type', { id: 'x:1', typeName: 'x' }, /unknown typeName/],
		['a presence record', { id: 'instance_presence:1', typeName: 'instance_presence' }, /not part of the document/],
		['a shape with bad props', { ...geoShape('bad'), props: { w: 'wide' } }, /put\[0\]/],
	])('rejects %s and applies nothing', (_name, record, message) => {
		const s = storage()
		const before = s.getClock()
		const res = applyRecordChanges(s, schema, { put: [geoShape('fine'), record].reverse(), remove: [] })
		expect(res.kind).toBe('invalid')
		expect((res as { message: string }).message).toMatch(message)
		expect(s.getClock()).toBe(before)
	})
})
