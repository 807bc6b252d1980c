import { describe, expect, it } from 'vitest'
import { MAX_FRAME_BYTES } from '../../src/config'
import { checkClientFrame } from '../../src/room/checkClientFrame'

const LIMIT = 1000

describe('checkClientFrame', () => {
	it.each([
		['a ping', '{"type":"ping"}', 0, { kind: 'accept', pendingBytes: 0, isPush: false }],
		['a connect', '{"type":"connect","connectRequestId":"x"}', 0, { kind: 'accept', pendingBytes: 0, isPush: false }],
		['a push', '{"type":"push","clientClock":1}', 0, { kind: 'accept', pendingBytes: 0, isPush: true }],
		// A frame starting as tldraw's pushes do is passed on unparsed; TLSocketRoom parses it and closes the socket if it is not JSON.
		['a push recognised by its prefix, left to TLSocketRoom to parse', '{"type":"push",…', 0, { kind: 'accept', pendingBytes: 0, isPush: true }],
		['a push with its type later in the object', '{"clientClock":1,"type":"push"}', 0, { kind: 'accept', pendingBytes: 0, isPush: true }],
		['a first chunk', '2_{"type":"pu', 0, { kind: 'accept', pendingBytes: 13, isPush: false }],
		['a middle chunk', '1_sh","clie', 13, { kind: 'accept', pendingBytes: 24, isPush: false }],
		['the last chunk', '0_ntClock":1}', 24, { kind: 'accept', pendingBytes: 0, isPush: true }],
		['not JSON', 'hello', 0, { kind: 'reject', code: 1007 }],
		['a JSON array', '[1]', 0, { kind: 'reject', code: 1007 }],
		['JSON null', 'null', 0, { kind: 'reject', code: 1007 }],
		['an unknown type', '{"type":"nope"}', 0, { kind: 'reject', code: 1007 }],
		['a whole message in the middle of a chunked one', '{"type":"ping"}', 10, { kind: 'reject', code: 1007 }],
		['a message over the limit', `{"type":"push","x":"${'a'.repeat(LIMIT)}"}`, 0, { kind: 'reject', code: 4099, reason: 'MESSAGE_TOO_LARGE' }],
		['a chunk that pushes the total over the limit', `1_${'a'.repeat(600)}`, 500, { kind: 'reject', code: 4099, reason: 'MESSAGE_TOO_LARGE' }],
	] as const)('%s', (_name, frame, pending, expected) => {
		expect(checkClientFrame(frame, pending, LIMIT)).toMatchObject(expected)
	})

	it('counts UTF-8 bytes, not characters', () => {
		const emoji = '😀'.repeat(200) // 800 bytes in UTF-8, 400 UTF-16 units
		expect(checkClientFrame(`{"type":"ping","e":"${emoji}"}`, 0, 820)).toMatchObject({ kind: 'reject', reason: 'MESSAGE_TOO_LARGE' })
		expect(checkClientFrame(`{"type":"push","e":"${emoji}"}`, 0, 820)).toMatchObject({ kind: 'reject', reason: 'MESSAGE_TOO_LARGE' })
		expect(checkClientFrame(`{"type":"ping","e":"${emoji}"}`, 0, 840)).toMatchObject({ kind: 'accept' })
		const accented = 'é'.repeat(300) // 600 bytes in UTF-8: an exact count for the chunks of a split message
		expect(checkClientFrame(`1_${accented}`, 0, 1000)).toMatchObject({ kind: 'accept', pendingBytes: 602 })
	})

	it('accepts binary frames that are UTF-8 JSON and rejects invalid UTF-8', () => {
		expect(checkClientFrame(new TextEncoder().encode('{"type":"ping"}').buffer as ArrayBuffer, 0, LIMIT)).toMatchObject({
			kind: 'accept',
			text: '{"type":"ping"}',
		})
		expect(checkClientFrame(new Uint8Array([0xff, 0xfe]).buffer, 0, LIMIT)).toMatchObject({ kind: 'reject', code: 1007 })
	})

	it('rejects any frame over the platform frame limit even when the message limit is higher', () => {
		expect(checkClientFrame(`0_${'a'.repeat(MAX_FRAME_BYTES)}`, 0, MAX_FRAME_BYTES * 10)).toMatchObject({ kind: 'reject', code: 4099 })
	})
})
