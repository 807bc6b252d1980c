import { describe, expect, it } from 'vitest'
import { planReplication } from '../../src/replication/planReplication'
import { TransactionAssembler } from '../../src/replication/TransactionAssembler'
import type { RowChange } from '../../src/replication/types'

const file = (over: Record<string, unknown> = {}) => ({ id: 'f1', ownerId: 'alice', name: 'F', shared: false, sharedLinkType: 'edit', published: false, isDeleted: false, ...over })
const subs = new Map<string, Set<string>>([
	['alice', new Set()],
	['bob', new Set(['f1'])],
	['carol', new Set()],
])
const tx = (...changes: RowChange[]) => ({ commitLsn: '0/10', changes })
const recipients = (changes: RowChange[]) => {
	const plan = planReplication(tx(...changes), subs)
	return Object.fromEntries([...plan.deliveries].map(([u, cs]) => [u, cs.length]))
}

describe('planReplication deliveries', () => {
	it.each([
		['a user row goes to that user only', [{ table: 'user', op: 'update', row: { id: 'carol' }, old: null }], { carol: 1 }],
		['a shared file row goes to its owner and followers', [{ table: 'file', op: 'update', row: file({ shared: true }), old: file({ shared: true }) }], { alice: 1, bob: 1 }],
		['a private file row goes to its owner only', [{ table: 'file', op: 'update', row: file(), old: file() }], { alice: 1 }],
		['a file changing owner reaches old (as a delete) and new owner', [{ table: 'file', op: 'update', row: file({ ownerId: 'carol' }), old: file() }], { alice: 1, carol: 1 }],
		['a file of an unconnected owner reaches nobody', [{ table: 'file', op: 'insert', row: file({ id: 'f9', ownerId: 'dave' }), old: null }], {}],
		['file_state, asset, mutation number go to their user', [
			{ table: 'file_state', op: 'insert', row: { userId: 'carol', fileId: 'f2' }, old: null },
			{ table: 'asset', op: 'insert', row: { userId: 'carol', objectName: 'o' }, old: null },
			{ table: 'user_mutation_number', op: 'update', row: { userId: 'carol', mutationNumber: '3' }, old: null },
		], { carol: 3 }],
	] as const)('%s', (_name, changes, expected) => {
		expect(recipients(changes as unknown as RowChange[])).toEqual(expected)
	})

	it('a file_state insert subscribes the user to that file for the rest of the transaction', () => {
		const plan = planReplication(
			tx(
				{ table: 'file_state', op: 'insert', row: { userId: 'carol', fileId: 'f1' }, old: null },
				{ table: 'file', op: 'update', row: file({ name: 'G', shared: true }), old: file({ shared: true }) },
			),
			subs,
		)
		expect(plan.subscribe).toEqual([{ userId: 'carol', fileId: 'f1' }])
		expect(plan.deliveries.get('carol')).toHaveLength(2)
		const del = planReplication(tx({ table: 'file_state', op: 'delete', row: { userId: 'bob', fileId: 'f1' }, old: null }), subs)
		expect(del.unsubscribe).toEqual([{ userId: 'bob', fileId: 'f1' }])
	})
})

describe('what a follower who is not the owner receives of a file row', () => {
	const removal = { table: 'file', op: 'delete', row: { id: 'f1' }, old: null }
	const update = (old: object | null, row: object) => ({ table: 'file', op: 'update', row, old }) as RowChange
	it.each([
		['still shared: the row', update(file({ shared: true }), file({ shared: true, name: 'G' })), 'row'],
		['made private: a delete, not the new row', update(file({ shared: true }), file({ shared: false, name: 'Secret', published: true, publishedSlug: 's' })), removal],
		['soft-deleted: a delete', update(file({ shared: true }), file({ shared: true, isDeleted: true })), removal],
		['renamed while private: nothing', update(file(), file({ name: 'Secret' })), null],
		['published while private: nothing', update(file(), file({ published: true, publishedSlug: 's' })), null],
		['shared again: the row', update(file(), file({ shared: true })), 'row'],
		['private, old row unknown: a delete', update(null, file()), removal],
		['hard-deleted: the key only', { table: 'file', op: 'delete', row: file({ shared: true, name: 'Secret' }), old: null } as RowChange, removal],
		['inserted shared: the row', { table: 'file', op: 'insert', row: file({ shared: true }), old: null } as RowChange, 'row'],
		['inserted private: nothing', { table: 'file', op: 'insert', row: file(), old: null } as RowChange, null],
	] as const)('%s', (_what, change, expected) => {
		const plan = planReplication(tx(change), subs)
		const got = plan.deliveries.get('bob')?.[0] ?? null
		expect(got).toEqual(expected === 'row' ? change : expected)
		expect(plan.deliveries.get('alice')?.[0]).toEqual(change)
	})

	it('a former owner who can no longer open the file gets a delete', () => {
		const plan = planReplication(tx({ table: 'file', op: 'update', row: file({ ownerId: 'carol' }), old: file() }), subs)
		expect(plan.deliveries.get('alice')).toEqual([removal])
		expect(plan.deliveries.get('carol')?.[0]).toMatchObject({ op: 'update', row: { ownerId: 'carol' } })
	})
})

describe('planReplication room effects', () => {
	it.each([
		['made private', file({ shared: true }), file(), 'update', 1],
		['renamed', file(), file({ name: 'New' }), 'update', 1],
		['soft-deleted', file(), file({ isDeleted: true }), 'update', 1],
		['published', file(), file({ published: true, publishedSlug: 's' }), 'update', 1],
		['only the thumbnail changed', file({ thumbnail: 'a' }), file({ thumbnail: 'b' }), 'update', 0],
		['hard-deleted', file(), file(), 'delete', 1],
		['inserted (no room yet)', null, file(), 'insert', 0],
	] as const)('%s → %i effects', (_name, before, after, op, n) => {
		const change = { table: 'file', op, row: after, old: op === 'delete' ? null : before } as RowChange
		const plan = planReplication(tx(change), new Map())
		expect(plan.effects).toHaveLength(n)
		if (n) expect(plan.effects[0]!.fileId).toBe('f1')
		if (op === 'delete') expect(plan.effects[0]).toMatchObject({ after: null })
	})
})

describe('TransactionAssembler', () => {
	const rel = (name: string) => ({ tag: 'relation', schema: 'public', name }) as never
	it('emits whole transactions at commit, only for published tables, with JSON-safe rows', () => {
		const a = new TransactionAssembler()
		expect(a.push({ tag: 'begin', commitLsn: '0/20', commitTime: 0n, xid: 1 } as never)).toBeNull()
		a.push({ tag: 'insert', relation: rel('file'), new: { id: 'f', createdAt: new Date('2026-01-01T00:00:00Z') } } as never)
		a.push({ tag: 'insert', relation: rel('kysely_migration'), new: { name: 'x' } } as never)
		a.push({ tag: 'delete', relation: rel('file_state'), old: { userId: 'u', fileId: 'f' }, key: null } as never)
		const txn = a.push({ tag: 'commit', commitLsn: '0/20', commitEndLsn: '0/28', flags: 0, commitTime: 0n } as never)
		expect(txn).toEqual({
			commitLsn: '0/20',
			changes: [
				{ table: 'file', op: 'insert', row: { id: 'f', createdAt: '2026-01-01T00:00:00.000Z' }, old: null },
				{ table: 'file_state', op: 'delete', row: { userId: 'u', fileId: 'f' }, old: null },
			],
		})
	})
})
