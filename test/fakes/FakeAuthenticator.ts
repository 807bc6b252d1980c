import { extractToken } from '../../src/auth/extractToken'
import { AuthErrorCode, authError } from '../../src/auth/AuthErrorCode'
import type { Auth, Authenticator } from '../../src/auth/verifyRequestAuth'

/**
 * An Authenticator that knows a fixed set of tokens: `new FakeAuthenticator({ 'token-alice': { userId: 'alice', sessionId: 's1' } })`.
 * Token extraction is the real one; an unknown token is a 401 like a bad Clerk token.
 */
export class FakeAuthenticator implements Authenticator {
	constructor(private readonly tokens: Record<string, Auth> = {}) {}

	async authenticate(request: { headers: Headers; url: string }): Promise<Auth | null> {
		const token = extractToken(request)
		if (token === null) return null
		const auth = this.tokens[token]
		if (!auth) throw authError(401, AuthErrorCode.NOT_AUTHENTICATED, 'session token is invalid')
		return auth
	}
}

export function fakeAuth(userId: string, extra: Partial<Omit<Auth, 'userId'>> = {}): Auth {
	return { userId, sessionId: `sess_${userId}`, ...extra }
}
