import { describe, expect, it } from 'vitest'
import { planFileChange, type FileFacts, type LiveSession } from '../../src/files/planFileChange'

const file = (over: Partial<FileFacts> = {}): FileFacts => ({
	ownerId: 'owner',
	shared: true,
	sharedLinkType: 'edit',
	published: false,
	isDeleted: false,
	name: 'Plan',
	...over,
})

const owner: LiveSession = { sessionId: 'o', userId: 'owner', isReadonly: false }
const guest: LiveSession = { sessionId: 'g', userId: 'guest', isReadonly: false }
const viewer: LiveSession = { sessionId: 'v', userId: 'viewer', isReadonly: true }
const anon: LiveSession = { sessionId: 'a', userId: null, isReadonly: false }
const all = [owner, guest, viewer, anon]

describe('planFileChange', () => {
	it.each([
		['rename only: nobody is touched', file(), file({ name: 'New' }), [], 'New'],
		['made private: guests closed FORBIDDEN, anonymous NOT_AUTHENTICATED', file(), file({ shared: false }), [
			['g', 'close', 'FORBIDDEN'],
			['v', 'close', 'FORBIDDEN'],
			['a', 'close', 'NOT_AUTHENTICATED'],
		], null],
		['edit link → view link: writers rejoin read-only', file(), file({ sharedLinkType: 'view' }), [
			['g', 'downgrade'],
			['a', 'downgrade'],
		], null],
		['view link → edit link: readers rejoin with write access', file({ sharedLinkType: 'view' }), file(), [['v', 'upgrade']], null],
		['deleted: everyone closed NOT_FOUND, no rename', file(), file({ isDeleted: true, name: 'x' }), [
			['o', 'close', 'NOT_FOUND'],
			['g', 'close', 'NOT_FOUND'],
			['v', 'close', 'NOT_FOUND'],
			['a', 'close', 'NOT_FOUND'],
		], null],
		['published: sharing unchanged, nobody touched', file(), file({ published: true }), [], null],
	] as const)('%s', (_name, before, after, expected, rename) => {
		const plan = planFileChange(before, after, all, 'Plan')
		expect(plan.rename).toBe(rename)
		expect(plan.sessions.map((s) => [s.sessionId, s.decision.kind, ...('reason' in s.decision ? [s.decision.reason] : [])])).toEqual(expected)
	})

	it('fixes a document whose name drifted even when access did not change', () => {
		expect(planFileChange(file(), file(), all, 'Old').rename).toBe('Plan')
		expect(planFileChange(file(), file(), all, null).rename).toBe('Plan')
	})
})
