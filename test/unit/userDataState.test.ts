import { describe, expect, it } from 'vitest'
import { addFetchedFile, applyServerMessage, EMPTY_USER_DATA, listFiles, missingFileIds } from '../../client/src/userData/userDataState'
import type { WireFileRow, WireFileStateRow, WireUserRow } from '../../src/user/protocol'

const ME = 'alice'
const t = (minute: number) => `2026-11-30T10:${String(minute).padStart(2, '0')}:00.000Z`
const user: WireUserRow = { id: ME, name: 'Alice', email: '', avatar: '', color: '#000', preferences: {}, createdAt: t(0), updatedAt: t(0) }
const file = (id: string, ownerId: string, over: Partial<WireFileRow> = {}): WireFileRow => ({
	id,
	ownerId,
	name: id,
	shared: false,
	sharedLinkType: 'edit',
	published: false,
	publishedSlug: null,
	lastPublished: null,
	isDeleted: false,
	thumbnail: '',
	createdAt: t(1),
	updatedAt: t(1),
	...over,
})
const state = (fileId: string, over: Partial<WireFileStateRow> = {}): WireFileStateRow => ({ userId: ME, fileId, firstVisitAt: t(1), lastVisitAt: t(1), lastEditAt: null, isPinned: false, ...over })
const init = (files: WireFileRow[], fileStates: WireFileStateRow[]) => applyServerMessage(EMPTY_USER_DATA, { type: 'init', user, files, fileStates, mutationNumber: 0 }, ME)

describe('user data: what the file list shows', () => {
	it('lists my files and files shared with me that I opened, not deleted ones or strangers’', () => {
		const s = init([file('mine', ME), file('shared', 'bob'), file('gone', ME, { isDeleted: true }), file('unvisited', 'bob')], [state('shared')])
		expect(listFiles(s, ME).map((e) => [e.file.id, e.isOwner])).toEqual([
			['mine', true],
			['shared', false],
		])
	})

	it('pinned first, then most recently used', () => {
		const s = init([file('old', ME, { updatedAt: t(1) }), file('new', ME, { updatedAt: t(5) }), file('pinned', ME, { updatedAt: t(0) })], [state('pinned', { isPinned: true, lastVisitAt: t(0) })])
		expect(listFiles(s, ME).map((e) => e.file.id)).toEqual(['pinned', 'new', 'old'])
	})

	it('applies inserts, partial updates and deletes as they arrive', () => {
		let s = init([file('a', ME)], [])
		s = applyServerMessage(s, { type: 'changes', changes: [{ table: 'file', op: 'insert', row: file('b', ME) }] }, ME)
		s = applyServerMessage(s, { type: 'changes', changes: [{ table: 'file', op: 'update', row: { id: 'a', name: 'Renamed' } }] }, ME)
		s = applyServerMessage(s, { type: 'changes', changes: [{ table: 'file', op: 'delete', row: { id: 'b' } }] }, ME)
		expect(Object.values(s.files).map((f) => [f.id, f.name, f.ownerId])).toEqual([['a', 'Renamed', ME]])
	})

	it('a new file state for a file I have no row for asks for that file; the fetched row completes the entry', () => {
		let s = init([], [])
		s = applyServerMessage(s, { type: 'changes', changes: [{ table: 'file_state', op: 'insert', row: state('shared') }] }, ME)
		expect(missingFileIds(s)).toEqual(['shared'])
		expect(listFiles(s, ME)).toEqual([])
		s = addFetchedFile(s, file('shared', 'bob', { shared: true, sharedLinkType: 'view' }))
		expect(missingFileIds(s)).toEqual([])
		expect(listFiles(s, ME).map((e) => e.file.id)).toEqual(['shared'])
	})

	it('ignores other users’ rows, and init replaces everything (resync)', () => {
		let s = init([file('a', ME)], [state('a')])
		s = applyServerMessage(s, { type: 'changes', changes: [{ table: 'file_state', op: 'insert', row: state('x', { userId: 'bob' }) }] }, ME)
		expect(Object.keys(s.fileStates)).toEqual(['a'])
		s = applyServerMessage(s, { type: 'resync' }, ME)
		s = init([file('z', ME)], [])
		expect(Object.keys(s.files)).toEqual(['z'])
	})
})
