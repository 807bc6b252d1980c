/**
 * DELETE /app/me, in a room of someone else's file (src/room/roomSockets.ts): only the purged user's
 * sockets close, every one of them (twins included), and none can be resumed after hibernation.
 */
import { describe, expect, it, vi } from 'vitest'
import { planResume } from '../../src/room/planSockets'
import { socketFacts, withdrawUserSessions } from '../../src/room/roomSockets'
import type { Attachment } from '../../src/room/socketAttachment'
import { FakeRoomSocket as FakeSocket } from '../fakes/FakeRoomSocket'

const snapshot = { isReadonly: false, serializedSchema: { schemaVersion: 2, sequences: {} } }
const socket = (sessionId: string, userId: string | null) => new FakeSocket(sessionId, { sessionId, userId, isReadonly: false, connected: true, snapshot })

function roomOf(sockets: FakeSocket[]) {
	const ctx = { getWebSockets: (tag?: string) => sockets.filter((s) => tag === undefined || s.tag === tag) } as unknown as DurableObjectState
	const room = { closeSession: vi.fn() }
	const ended: Attachment[] = []
	const withdraw = (userId: string, loaded: boolean) => withdrawUserSessions(ctx, loaded ? (room as never) : null, userId, (s) => ended.push(s))
	return { ctx, room, ended, withdraw }
}

describe('withdrawUserSessions', () => {
	it.each([
		['the room loaded', true],
		['the room not loaded (hibernated)', false],
	])('with %s: every socket of the user closes with NOT_AUTHENTICATED and loses its attachment; others stay', (_name, loaded) => {
		const bobTwin = socket('bob-1', 'bob')
		const bob1 = socket('bob-1', 'bob')
		const bob2 = socket('bob-2', 'bob')
		const carol = socket('carol-1', 'carol')
		const anonymous = socket('anon-1', null)
		const sockets = [bobTwin, carol, bob1, anonymous, bob2]
		const r = roomOf(sockets)

		expect(r.withdraw('bob', loaded)).toBe(2)
		for (const s of [bobTwin, bob1, bob2]) {
			expect(s.closed).toEqual({ code: 4099, reason: 'NOT_AUTHENTICATED' })
			expect(s.deserializeAttachment()).toBeNull()
		}
		for (const s of [carol, anonymous]) {
			expect(s.closed).toBeNull()
			expect(s.deserializeAttachment()).toMatchObject({ sessionId: s.tag })
		}
		expect(r.ended.map((s) => s.sessionId).sort()).toEqual(['bob-1', 'bob-2'])
		expect(r.room.closeSession.mock.calls).toEqual(loaded ? [['bob-1', 'NOT_AUTHENTICATED'], ['bob-2', 'NOT_AUTHENTICATED']] : [])
		// A wake from hibernation resumes Carol and the anonymous session only, even if Bob's sockets still looked open.
		for (const s of [bobTwin, bob1, bob2]) s.readyState = WebSocket.OPEN
		const resumed = planResume(socketFacts(sockets as unknown as WebSocket[])).flatMap((step) => (step.kind === 'resume' ? [step.sessionId] : []))
		expect(resumed).toEqual(['carol-1', 'anon-1'])
	})

	it('is idempotent, and a user with no session here changes nothing', () => {
		const carol = socket('carol-1', 'carol')
		const r = roomOf([socket('bob-1', 'bob'), carol])
		expect(r.withdraw('bob', true)).toBe(1)
		expect(r.withdraw('bob', true)).toBe(0)
		expect(r.withdraw('nobody', true)).toBe(0)
		expect(r.ended).toHaveLength(1)
		expect(carol.closed).toBeNull()
	})
})
