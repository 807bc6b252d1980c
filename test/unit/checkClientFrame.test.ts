import { describe, expect, it } from 'vitest'
import { MAX_FRAME_BYTES } from '../../src/config'
import { checkClientFrame, type PendingMessage } from '../../src/room/checkClientFrame'
import { MAX_DIFF_DEPTH, parseClientMessage } from '../../src/room/clientMessageSchema'

const LIMIT = 1000
const schema = { schemaVersion: 2, sequences: {} }
const connect = JSON.stringify({ type: 'connect', connectRequestId: 'c1', lastServerClock: -1, protocolVersion: 8, schema })
const shape = { id: 'shape:a', typeName: 'shape', x: 1 }
const pending = (parts: string[], bytes: number, nextRemaining: number): PendingMessage => ({ parts, bytes, nextRemaining })

describe('checkClientFrame', () => {
	it.each([
		['a ping', '{"type":"ping"}', null, { kind: 'message', text: '{"type":"ping"}' }],
		['a connect', connect, null, { kind: 'message', message: { type: 'connect' } }],
		['a push', '{"type":"push","clientClock":1,"diff":{}}', null, { kind: 'message', message: { type: 'push' } }],
		// Pushes are parsed and checked like everything else, whatever they start with.
		['a push that starts like one but is not JSON', '{"type":"push",…', null, { kind: 'reject', code: 1007, reason: 'MALFORMED_MESSAGE: not JSON' }],
		['a push with its type later in the object', '{"clientClock":1,"diff":{},"type":"push"}', null, { kind: 'message', message: { type: 'push' } }],
		['a first chunk', '2_{"type":"pu', null, { kind: 'partial', pending: pending(['{"type":"pu'], 13, 1) }],
		['a middle chunk', '1_sh","clientClock":1,', pending(['{"type":"pu'], 13, 1), { kind: 'partial', pending: { bytes: 35, nextRemaining: 0 } }],
		['the last chunk', '0_"diff":{}}', pending(['{"type":"pu', 'sh","clientClock":1,'], 35, 0), { kind: 'message', text: '{"type":"push","clientClock":1,"diff":{}}' }],
		['a chunk out of order', '0_"diff":{}}', pending(['{"type":"pu'], 13, 1), { kind: 'reject', code: 1007, reason: 'MALFORMED_MESSAGE: chunks out of order' }],
		['a split message that is not JSON', '0_nope', pending(['{"type'], 8, 0), { kind: 'reject', code: 1007, reason: 'MALFORMED_MESSAGE: not JSON' }],
		['not JSON', 'hello', null, { kind: 'reject', code: 1007 }],
		['a JSON array', '[1]', null, { kind: 'reject', code: 1007 }],
		['JSON null', 'null', null, { kind: 'reject', code: 1007 }],
		['an unknown type', '{"type":"nope"}', null, { kind: 'reject', code: 1007 }],
		['a whole message in the middle of a chunked one', '{"type":"ping"}', pending(['{'], 10, 0), { kind: 'reject', code: 1007 }],
		['a message over the limit', `{"type":"push","x":"${'a'.repeat(LIMIT)}"}`, null, { kind: 'reject', code: 4099, reason: 'MESSAGE_TOO_LARGE' }],
		['a chunk that pushes the total over the limit', `1_${'a'.repeat(600)}`, pending(['x'], 500, 1), { kind: 'reject', code: 4099, reason: 'MESSAGE_TOO_LARGE' }],
	] as const)('%s', (_name, frame, before, expected) => {
		expect(checkClientFrame(frame, before as PendingMessage | null, LIMIT)).toMatchObject(expected)
	})

	it('counts UTF-8 bytes, not characters', () => {
		const emoji = '😀'.repeat(200) // 800 bytes in UTF-8, 400 UTF-16 units
		expect(checkClientFrame(`{"type":"ping","e":"${emoji}"}`, null, 820)).toMatchObject({ kind: 'reject', reason: 'MESSAGE_TOO_LARGE' })
		expect(checkClientFrame(`{"type":"push","e":"${emoji}"}`, null, 820)).toMatchObject({ kind: 'reject', reason: 'MESSAGE_TOO_LARGE' })
		expect(checkClientFrame(`{"type":"ping","e":"${emoji}"}`, null, 840)).toMatchObject({ kind: 'message' })
		const accented = 'é'.repeat(300) // 600 bytes in UTF-8: an exact count for the chunks of a split message
		expect(checkClientFrame(`1_${accented}`, null, 1000)).toMatchObject({ kind: 'partial', pending: { bytes: 602 } })
	})

	it('accepts binary frames that are UTF-8 JSON and rejects invalid UTF-8', () => {
		expect(checkClientFrame(new TextEncoder().encode('{"type":"ping"}').buffer as ArrayBuffer, null, LIMIT)).toMatchObject({
			kind: 'message',
			text: '{"type":"ping"}',
		})
		expect(checkClientFrame(new Uint8Array([0xff, 0xfe]).buffer, null, LIMIT)).toMatchObject({ kind: 'reject', code: 1007 })
	})

	it('rejects any frame over the platform frame limit even when the message limit is higher', () => {
		expect(checkClientFrame(`0_${'a'.repeat(MAX_FRAME_BYTES)}`, null, MAX_FRAME_BYTES * 10)).toMatchObject({ kind: 'reject', code: 4099 })
	})

	it('keeps a close reason within 123 bytes of printable ASCII, whatever the client sent', () => {
		const id = `shape:${'é'.repeat(300)}`
		const v = checkClientFrame(JSON.stringify({ type: 'push', clientClock: 1, diff: { [id]: ['nope'] } }), null, 100_000)
		expect(v).toMatchObject({ kind: 'reject', code: 1007 })
		const reason = (v as { reason: string }).reason
		expect(new TextEncoder().encode(reason).byteLength).toBeLessThanOrEqual(123)
		expect(reason).toMatch(/^MALFORMED_MESSAGE: [\x20-\x7e]*$/)
	})
})

/** `{ a: ['patch', { a: ['patch', … { a: ['put', 1] }]}]}`, `levels` patches deep, built without recursion. */
function nestedPatch(levels: number) {
	let diff: Record<string, unknown> = { a: ['put', 1] }
	for (let i = 0; i < levels; i++) diff = { a: ['patch', diff] }
	return diff
}

describe('parseClientMessage (the sync protocol, version 8)', () => {
	it.each([
		['a connect as TLSyncClient sends it', JSON.parse(connect)],
		['a push of a put, a patch and a remove', { type: 'push', clientClock: 0, diff: { 'shape:a': ['put', shape], 'shape:b': ['patch', { x: ['put', 2], props: ['patch', { text: ['append', 'hi', 3] }], meta: ['delete'] }], 'shape:c': ['remove'] } }],
		['a presence-only push', { type: 'push', clientClock: 3, presence: ['patch', { cursor: ['put', { x: 1, y: 2 }] }] }],
		['a presence put', { type: 'push', clientClock: 3, presence: ['put', { id: 'instance_presence:x', typeName: 'instance_presence' }] }],
		['an array append', { type: 'push', clientClock: 1, diff: { 'shape:a': ['patch', { points: ['append', [1, 2], 4] }] } }],
		['a ping', { type: 'ping' }],
		['keys the protocol does not use (ignored, as TLSocketRoom ignores them)', { type: 'ping', extra: 1 }],
		[`patches nested ${MAX_DIFF_DEPTH} deep`, { type: 'push', clientClock: 1, diff: { 'shape:a': ['patch', nestedPatch(MAX_DIFF_DEPTH - 1)] } }],
	])('accepts %s', (_name, value) => {
		expect(parseClientMessage(value)).toMatchObject({ ok: true })
	})

	it.each([
		['a push with no clock and no diff', { type: 'push' }, 'clientClock'],
		['a push whose diff is a string', { type: 'push', clientClock: 1, diff: 'nope' }, 'diff'],
		['a push with neither diff nor presence', { type: 'push', clientClock: 1 }, 'a push needs a diff or a presence'],
		['a negative clock', { type: 'push', clientClock: -1, diff: {} }, 'clientClock'],
		['an unknown record op', { type: 'push', clientClock: 1, diff: { 'shape:a': ['upsert', shape] } }, 'diff.shape:a'],
		['a put without a record', { type: 'push', clientClock: 1, diff: { 'shape:a': ['put', 42] } }, 'diff.shape:a'],
		['a put whose record has no typeName', { type: 'push', clientClock: 1, diff: { 'shape:a': ['put', { id: 'shape:a' }] } }, 'diff.shape:a'],
		['a patch with a bad value op', { type: 'push', clientClock: 1, diff: { 'shape:a': ['patch', { x: ['set', 1] }] } }, 'diff.shape:a'],
		['an append with no offset', { type: 'push', clientClock: 1, diff: { 'shape:a': ['patch', { t: ['append', 'x'] }] } }, 'diff.shape:a'],
		['a connect with no schema', { type: 'connect', connectRequestId: 'c', lastServerClock: 0, protocolVersion: 8 }, 'schema'],
		['a connect with a string clock', { type: 'connect', connectRequestId: 'c', lastServerClock: '0', protocolVersion: 8, schema }, 'lastServerClock'],
		['an unknown type', { type: 'subscribe' }, 'type'],
		['no type', { clientClock: 1 }, 'type'],
		['not an object', [1, 2], 'type'],
		['a null diff', { type: 'push', clientClock: 1, diff: null }, 'diff'],
		['a fractional clock', { type: 'push', clientClock: 1.5, diff: {} }, 'clientClock'],
		['a remove with a payload', { type: 'push', clientClock: 1, diff: { 'shape:a': ['remove', 1] } }, 'diff.shape:a'],
		['an append at a negative offset', { type: 'push', clientClock: 1, diff: { 'shape:a': ['patch', { t: ['append', 'x', -1] }] } }, 'diff.shape:a.t'],
		['a put with no value', { type: 'push', clientClock: 1, diff: { 'shape:a': ['patch', { t: ['put'] }] } }, 'diff.shape:a.t'],
		['a presence that is neither patch nor put', { type: 'push', clientClock: 1, presence: ['remove', {}] }, 'presence'],
		['a connect request id over 256 characters', { type: 'connect', connectRequestId: 'c'.repeat(257), lastServerClock: 0, protocolVersion: 8, schema }, 'connectRequestId'],
		// A walk that recursed as deep as the client nests would overflow the stack on a 1 MiB message.
		[`patches nested deeper than ${MAX_DIFF_DEPTH}`, { type: 'push', clientClock: 1, diff: { 'shape:a': ['patch', nestedPatch(100_000)] } }, 'nested at most'],
	])('refuses %s, naming what is wrong', (_name, value, what) => {
		const parsed = parseClientMessage(value)
		expect(parsed.ok).toBe(false)
		expect((parsed as { what: string }).what).toContain(what)
	})
})
