import { describe, expect, it } from 'vitest'
import { schema } from '../../schema'
import { SessionGate } from '../../src/room/SessionGate'

const push = (i: number) => JSON.stringify({ type: 'push', clientClock: i, diff: {} })
const ping = '{"type":"ping"}'
const connect = JSON.stringify({ type: 'connect', connectRequestId: 'c', lastServerClock: 0, protocolVersion: 8, schema: schema.serialize() })

/** A gate with 10 pushes/s, burst 5, a 1,000-byte message limit, and a clock the test moves. */
function gate() {
	let now = 1_000_000
	const gate = new SessionGate({ maxMessageBytes: 1_000, maxPushesPerSecond: 10, pushBurst: 5 }, schema.serialize(), () => now)
	// Most frames come from a socket that already sent its connect.
	const g = { check: (sessionId: string, frame: string, connected = true) => gate.check(sessionId, frame, { connected }), forget: (s: string) => gate.forget(s) }
	return {
		g,
		advance: (ms: number) => (now += ms),
		/** How many of `n` pushes in a row pass before the first rejection. */
		accepted: (sessionId: string, n: number) => {
			for (let i = 0; i < n; i++) if (g.check(sessionId, push(i)).kind === 'reject') return i
			return n
		},
	}
}

describe('SessionGate', () => {
	it('accepts exactly the burst while the clock stands still, then closes with RATE_LIMITED', () => {
		const { g, accepted } = gate()
		expect(accepted('s', 5)).toBe(5)
		expect(g.check('s', push(6))).toEqual({ kind: 'reject', code: 4099, reason: 'RATE_LIMITED' })
	})

	it.each([
		[100, 1],
		[250, 2],
		[500, 5],
		[10_000, 5],
	])('refills by the clock: after %i ms, %i more pushes pass', (ms, more) => {
		const { accepted, advance } = gate()
		expect(accepted('s', 5)).toBe(5)
		advance(ms)
		expect(accepted('s', 10)).toBe(more)
	})

	it('keeps one bucket per session', () => {
		const { accepted } = gate()
		expect(accepted('a', 10)).toBe(5)
		expect(accepted('b', 10)).toBe(5)
	})

	it('does not spend push tokens on pings or connects', () => {
		const { g, accepted } = gate()
		for (let i = 0; i < 20; i++) expect(g.check('s', ping)).toMatchObject({ kind: 'accept', text: ping })
		expect(g.check('s', connect, false)).toMatchObject({ kind: 'accept' })
		expect(accepted('s', 10)).toBe(5)
	})

	it('assembles chunks per session and limits the assembled size', () => {
		const { g } = gate()
		expect(g.check('a', `1_${'x'.repeat(600)}`)).toEqual({ kind: 'wait' })
		// Another session's chunks do not count against a's message.
		expect(g.check('b', `1_${'y'.repeat(600)}`)).toEqual({ kind: 'wait' })
		expect(g.check('a', `0_${'x'.repeat(600)}`)).toMatchObject({ kind: 'reject', code: 4099, reason: 'MESSAGE_TOO_LARGE' })
	})

	it('rejects malformed frames with 1007', () => {
		expect(gate().g.check('s', 'not json')).toMatchObject({ kind: 'reject', code: 1007 })
	})

	it('forget() gives a reconnecting session a fresh bucket and no half-assembled message', () => {
		const { g, accepted } = gate()
		expect(accepted('s', 10)).toBe(5)
		expect(g.check('s', '1_{"type":"pi')).toEqual({ kind: 'wait' })
		g.forget('s')
		// A whole message now is fine (it would be a protocol error in the middle of a chunked one).
		expect(g.check('s', ping)).toMatchObject({ kind: 'accept', text: ping })
		expect(accepted('s', 10)).toBe(5)
	})

	it('lets one connect through per socket and closes the socket on a second (DUPLICATE_CONNECT)', () => {
		const { g } = gate()
		expect(g.check('s', connect, false)).toMatchObject({ kind: 'accept', message: { type: 'connect' } })
		expect(g.check('s', connect, true)).toEqual({ kind: 'reject', code: 4099, reason: 'DUPLICATE_CONNECT' })
	})

	it('hands the room one whole, checked message once the last chunk of a split message arrives', () => {
		const { g } = gate()
		const text = push(1)
		expect(g.check('s', `1_${text.slice(0, 10)}`)).toEqual({ kind: 'wait' })
		expect(g.check('s', `0_${text.slice(10)}`)).toMatchObject({ kind: 'accept', text, message: { type: 'push' } })
	})
})
