import { describe, expect, it } from 'vitest'
import { getConfig } from '../../src/config'
import { parseRoomSnapshot } from '../../src/room/parseRoomSnapshot'
import { decodeConnectRequest, encodeConnectRequest } from '../../src/room/connectRequest'
import { historyVersionKey, isValidId, latestSnapshotKey } from '../../src/storage/keys'

describe('ids and keys', () => {
	it.each([
		['abc', true],
		['A-b_9', true],
		['x'.repeat(128), true],
		['x'.repeat(129), false],
		['', false],
		['a b', false],
		['../etc', false],
		['a/b', false],
		['é', false],
	])('isValidId(%j) is %s', (id, ok) => {
		expect(isValidId(id)).toBe(ok)
	})

	it('builds R2 keys that sort by time', () => {
		expect(latestSnapshotKey('file:abc')).toBe('file/abc')
		const k1 = historyVersionKey('room:r', Date.UTC(2026, 10, 23, 9, 5, 1, 2))
		const k2 = historyVersionKey('room:r', Date.UTC(2026, 10, 23, 10, 0, 0, 0))
		expect(k1).toBe('room/r/2026-11-23T09:05:01.002Z')
		expect([k2, k1].sort()).toEqual([k1, k2])
	})
})

describe('getConfig', () => {
	it('applies defaults', () => {
		expect(getConfig({})).toMatchObject({ anonymousRooms: true, maxSessionsPerRoom: 50, persistIntervalMs: 8000, allowedOrigins: ['*'] })
	})
	it('parses values and lists', () => {
		const c = getConfig({ ANONYMOUS_ROOMS: 'false', MAX_SESSIONS_PER_ROOM: '7', ALLOWED_ORIGINS: 'https://a.test, https://b.test' })
		expect(c).toMatchObject({ anonymousRooms: false, maxSessionsPerRoom: 7, allowedOrigins: ['https://a.test', 'https://b.test'] })
	})
	it.each([
		[{ MAX_SESSIONS_PER_ROOM: '0' }, /MAX_SESSIONS_PER_ROOM/],
		[{ PERSIST_INTERVAL_MS: 'soon' }, /PERSIST_INTERVAL_MS/],
		[{ ANONYMOUS_ROOMS: 'yes' }, /ANONYMOUS_ROOMS/],
	])('names the bad variable in %j', (env, message) => {
		expect(() => getConfig(env)).toThrow(message)
	})
})

describe('connect request header', () => {
	it('round-trips and rejects tampering', () => {
		const req = { roomKey: 'room:abc' as const, sessionId: 's1', isReadonly: true, userId: null }
		expect(decodeConnectRequest(encodeConnectRequest(req))).toEqual(req)
		expect(decodeConnectRequest('{"roomKey":"room:../x","sessionId":"s","isReadonly":false,"userId":null}')).toBeNull()
		expect(decodeConnectRequest('{"sessionId":"s","isReadonly":false,"userId":null,"admin":true}')).toBeNull()
		expect(decodeConnectRequest('not json')).toBeNull()
		expect(decodeConnectRequest(null)).toBeNull()
	})
})

describe('parseRoomSnapshot', () => {
	it('accepts a room snapshot and rejects malformed ones with a reason', () => {
		const ok = { clock: 2, documents: [{ state: { id: 'page:page', typeName: 'page' }, lastChangedClock: 1 }] }
		expect(parseRoomSnapshot(JSON.stringify(ok)).documents).toHaveLength(1)
		expect(() => parseRoomSnapshot('{')).toThrow('not JSON')
		expect(() => parseRoomSnapshot('{"documents":[{"state":{}}]}')).toThrow('malformed')
	})
})
