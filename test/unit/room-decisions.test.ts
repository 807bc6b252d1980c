import { describe, expect, it } from 'vitest'
import { EXPORT_RETRY_MAX_MS } from '../../src/config'
import { decideAdmission, seatsKeptForEditors } from '../../src/room/decideAdmission'
import { exportRetryDelayMs, nextExportAlarm } from '../../src/room/historyPolicy'

describe('decideAdmission', () => {
	it.each([
		['a new anonymous room', 'room:a', false, 0, 50, 'editor', { kind: 'allow' }],
		['the 50th session of 50', 'room:a', false, 49, 50, 'editor', { kind: 'allow' }],
		['the 51st session of 50', 'room:a', false, 50, 50, 'editor', { kind: 'deny', reason: 'ROOM_FULL' }],
		['a read-only slug of an anonymous room', 'room:a', true, 1, 50, 'reader', { kind: 'allow' }],
		['a read-only slug of a room that never existed', null, true, 0, 50, 'reader', { kind: 'deny', reason: 'NOT_FOUND' }],
		["a read-only slug of a file's room", 'file:f', true, 0, 50, 'reader', { kind: 'deny', reason: 'NOT_FOUND' }],
		['a file room reached by key', 'file:f', false, 0, 50, 'editor', { kind: 'allow' }],
		['a full room reached by slug', 'room:a', true, 3, 3, 'reader', { kind: 'deny', reason: 'ROOM_FULL' }],
		// Readers are refused first: 5 of 50 seats are kept for people who can edit.
		['the 45th reader of 50', 'file:f', false, 44, 50, 'reader', { kind: 'allow' }],
		['the 46th reader of 50', 'file:f', false, 45, 50, 'reader', { kind: 'deny', reason: 'ROOM_FULL' }],
		['an editor after 45 readers', 'file:f', false, 45, 50, 'editor', { kind: 'allow' }],
		['the owner of a full room', 'file:f', false, 50, 50, 'owner', { kind: 'allow' }],
		['the owner of an overfull room', 'file:f', false, 60, 50, 'owner', { kind: 'allow' }],
		['a reader in a room of 3 (no seats kept)', 'room:a', true, 2, 3, 'reader', { kind: 'allow' }],
		['the owner of a deleted (unknown) room', null, false, 0, 50, 'owner', { kind: 'deny', reason: 'NOT_FOUND' }],
	] as const)('%s', (_name, roomKey, viaReadonlySlug, connectedSessions, maxSessions, role, expected) => {
		expect(decideAdmission({ roomKey, viaReadonlySlug, connectedSessions, maxSessions, role })).toEqual(expected)
	})

	it.each([
		[1, 0],
		[9, 0],
		[10, 1],
		[50, 5],
	])('keeps %i-seat rooms %i seats for editors', (max, kept) => {
		expect(seatsKeptForEditors(max)).toBe(kept)
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
