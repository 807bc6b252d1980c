import { describe, expect, it } from 'vitest'
import { countOtherSessions, planResume, type SocketFacts } from '../../src/room/planSockets'
import type { Attachment } from '../../src/room/socketAttachment'

const snapshot = { isReadonly: false, serializedSchema: { schemaVersion: 2, sequences: {} }, presenceId: null, presenceRecord: null, requiresLegacyRejection: false, supportsStringAppend: true } as unknown as NonNullable<Attachment['snapshot']>
const sock = (sessionId: string | null, opts: { open?: boolean; snapshot?: boolean; isReadonly?: boolean } = {}): SocketFacts => ({
	open: opts.open ?? true,
	attachment: sessionId === null ? null : { sessionId, userId: null, isReadonly: opts.isReadonly ?? false, ...(opts.snapshot === false ? {} : { snapshot }) },
})

describe('planResume', () => {
	it.each([
		['one socket with a snapshot resumes', [sock('a')], ['resume']],
		['a socket with no snapshot yet is asked to reconnect', [sock('a', { snapshot: false })], ['close']],
		['a withdrawn socket (attachment cleared) is never revived', [sock(null)], ['close']],
		['a closing socket is left alone', [sock('a', { open: false })], ['ignore']],
		['of twin sockets only the newest resumes; the older is closed', [sock('a'), sock('b'), sock('a')], ['close', 'resume', 'resume']],
		['a closed newest twin does not shadow the open one', [sock('a'), sock('a', { open: false })], ['resume', 'ignore']],
	] as const)('%s', (_name, sockets, kinds) => {
		expect(planResume(sockets).map((s) => s.kind)).toEqual(kinds)
	})

	it('resumes with the access level the Worker granted (the attachment), not the snapshot’s', () => {
		const [step] = planResume([sock('a', { isReadonly: true })])
		expect(step).toMatchObject({ kind: 'resume', sessionId: 'a', snapshot: { isReadonly: true } })
	})
})

describe('countOtherSessions', () => {
	it.each([
		['no sockets', [], 'x', 0],
		['open sessions count once each', [sock('a'), sock('b'), sock('b')], 'x', 2],
		['the joining session’s own older socket does not count', [sock('a'), sock('x')], 'x', 1],
		['closing and withdrawn sockets do not count', [sock('a', { open: false }), sock(null)], 'x', 0],
	] as const)('%s', (_name, sockets, sessionId, n) => {
		expect(countOtherSessions(sockets, sessionId)).toBe(n)
	})
})
