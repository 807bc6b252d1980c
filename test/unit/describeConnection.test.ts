import { describe, expect, it } from 'vitest'
import { describeConnection } from '../../client/src/canvas/describeConnection'

describe('describeConnection: the canvas connection state in plain words', () => {
	it.each([
		[{ status: 'loading' } as const, { tone: 'info', title: 'Connecting…' }],
		[{ status: 'synced-remote', connectionStatus: 'offline' } as const, { tone: 'warning', title: 'Offline' }],
		[{ status: 'error', reason: 'ROOM_FULL' } as const, { tone: 'fatal', title: 'Room is full', code: 'ROOM_FULL' }],
		[{ status: 'error', reason: 'FORBIDDEN' } as const, { tone: 'fatal', title: 'No access', code: 'FORBIDDEN' }],
		[{ status: 'error', reason: 'NOT_AUTHENTICATED' } as const, { tone: 'fatal', title: 'Sign in required', code: 'NOT_AUTHENTICATED' }],
		[{ status: 'error', reason: 'NOT_FOUND' } as const, { tone: 'fatal', title: 'Not found', code: 'NOT_FOUND' }],
		[{ status: 'error', reason: 'RATE_LIMITED' } as const, { tone: 'fatal', code: 'RATE_LIMITED' }],
		[{ status: 'error', reason: 'MESSAGE_TOO_LARGE' } as const, { tone: 'fatal', code: 'MESSAGE_TOO_LARGE' }],
		[{ status: 'error', reason: null } as const, { tone: 'fatal', title: 'Server error', code: 'UNKNOWN_ERROR' }],
		[{ status: 'error', reason: 'SOMETHING_NEW', message: 'closed: SOMETHING_NEW' } as const, { tone: 'fatal', title: 'Disconnected', detail: 'closed: SOMETHING_NEW', code: 'SOMETHING_NEW' }],
	])('%j', (input, expected) => {
		expect(describeConnection(input)).toMatchObject(expected)
	})

	it('says nothing over a canvas that is online', () => {
		expect(describeConnection({ status: 'synced-remote', connectionStatus: 'online' })).toBeNull()
	})
})
