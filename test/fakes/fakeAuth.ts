import type { Auth } from '../../src/auth/authenticateRequest'

/** A verified session for unit tests of handlers that take the caller as an argument. */
export function fakeAuth(userId: string, extra: Partial<Omit<Auth, 'userId'>> = {}): Auth {
	return { userId, sessionId: `sess_${userId}`, ...extra }
}
