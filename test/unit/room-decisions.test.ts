import { describe, expect, it } from 'vitest'
import { EXPORT_RETRY_MAX_MS } from '../../src/config'
import { decideAdmission } from '../../src/room/decideAdmission'
import { exportRetryDelayMs, nextExportAlarm } from '../../src/room/historyPolicy'

describe('decideAdmission', () => {
	it.each([
		['a new anonymous room', 'room:a', false, 0, 50, { kind: 'allow' }],
		['the 50th session of 50', 'room:a', false, 49, 50, { kind: 'allow' }],
		['the 51st session of 50', 'room:a', false, 50, 50, { kind: 'deny', reason: 'ROOM_FULL' }],
		['a read-only slug of an anonymous room', 'room:a', true, 1, 50, { kind: 'allow' }],
		['a read-only slug of a room that never existed', null, true, 0, 50, { kind: 'deny', reason: 'NOT_FOUND' }],
		["a read-only slug of a file's room", 'file:f', true, 0, 50, { kind: 'deny', reason: 'NOT_FOUND' }],
		['a file room reached by key', 'file:f', false, 0, 50, { kind: 'allow' }],
		['a full room reached by slug', 'room:a', true, 3, 3, { kind: 'deny', reason: 'ROOM_FULL' }],
	] as const)('%s', (_name, roomKey, viaReadonlySlug, connectedSessions, maxSessions, expected) => {
		expect(decideAdmission({ roomKey, viaReadonlySlug, connectedSessions, maxSessions })).toEqual(expected)
	})
})

describe('nextExportAlarm', () => {
	const base = { now: 1_000_000, persistIntervalMs: 8_000, failures: 0 }
	it.each([
		['a change with no alarm set waits one interval', { reason: 'changed', currentAlarm: null }, 1_008_000],
		['a change keeps an earlier alarm', { reason: 'changed', currentAlarm: 1_002_000 }, 1_002_000],
		['the last session leaving exports now', { reason: 'last-session-left', currentAlarm: 1_005_000 }, 1_000_000],
		['a first retry waits 1 s', { reason: 'retry', currentAlarm: null, failures: 1 }, 1_001_000],
		['a third retry waits 4 s', { reason: 'retry', currentAlarm: null, failures: 3 }, 1_004_000],
	] as const)('%s', (_name, opts, expected) => {
		expect(nextExportAlarm({ ...base, ...opts })).toBe(expected)
	})

	it('caps the retry backoff', () => {
		expect(exportRetryDelayMs(100)).toBe(EXPORT_RETRY_MAX_MS)
		expect(exportRetryDelayMs(0)).toBe(1_000)
	})
})
