import { generateKeyPairSync } from 'node:crypto'
import { SignJWT, importPKCS8 } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { extractToken, withoutAccessToken } from '../../src/auth/extractToken'
import { authenticateRequest, describeTokenError, requireAuth, verifySessionToken, type VerifyTokenFn } from '../../src/auth/authenticateRequest'
import { getConfig, type AuthConfig } from '../../src/config'
import { ApiError, errorResponse } from '../../src/http/errors'
import { mintDevToken } from '../../scripts/token.ts'

function rsaPair(modulusLength = 2048) {
	return generateKeyPairSync('rsa', {
		modulusLength,
		publicExponent: 65537,
		publicKeyEncoding: { type: 'spki', format: 'pem' },
		privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
	})
}

/** The auth part of the config parsed from `env`, as the Worker sees it. */
const authConfig = (env: Record<string, string>): AuthConfig => getConfig(env).auth

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)

async function caught(p: Promise<unknown> | (() => unknown)): Promise<ApiError> {
	try {
		await (typeof p === 'function' ? p() : p)
	} catch (err) {
		if (err instanceof ApiError) return err
		throw err
	}
	throw new Error('expected an ApiError')
}

const req = (init: { auth?: string; query?: string } = {}) =>
	new Request(`http://localhost/app/files${init.query ?? ''}`, { headers: init.auth === undefined ? {} : { Authorization: init.auth } })

describe('extractToken', () => {
	it.each([
		['no token', req(), null],
		['Bearer header', req({ auth: 'Bearer abc.def.ghi' }), 'abc.def.ghi'],
		['lower-case scheme, extra spaces', req({ auth: 'bearer   abc.def.ghi  ' }), 'abc.def.ghi'],
	])('%s', (_name, request, expected) => {
		expect(extractToken(request)).toBe(expected)
		expect(extractToken(request, 'websocket')).toBe(expected)
	})

	it.each([
		['accessToken query (useSync)', req({ query: '?accessToken=q.r.s&sessionId=1' }), 'q.r.s'],
		['header wins over query', req({ auth: 'Bearer h.h.h', query: '?accessToken=q.q.q' }), 'h.h.h'],
		['empty query value is no token', req({ query: '?accessToken=' }), null],
	])('on a WebSocket upgrade: %s', (_name, request, expected) => {
		expect(extractToken(request, 'websocket')).toBe(expected)
	})

	it.each([
		['a token in the URL', req({ query: '?accessToken=q.r.s' })],
		['a token in the URL beside the header', req({ auth: 'Bearer h.h.h', query: '?accessToken=q.q.q' })],
		['an empty accessToken', req({ query: '?accessToken=' })],
	])('401 with a hint on a plain HTTP request: %s', async (_name, request) => {
		const err = await caught(() => extractToken(request))
		expect([err.status, err.code]).toEqual([401, 'NOT_AUTHENTICATED'])
		expect(err.message).toMatch(/only on WebSocket upgrades.*Authorization: Bearer/)
		expect(err.message).not.toMatch(/q\.[qr]\./)
	})

	it('withoutAccessToken drops only the token', () => {
		expect(withoutAccessToken('http://h/app/file/f?sessionId=1&accessToken=secret&storeId=2')).toBe('http://h/app/file/f?sessionId=1&storeId=2')
		expect(withoutAccessToken('http://h/r/x?sessionId=1')).toBe('http://h/r/x?sessionId=1')
	})

	it.each([
		['Basic scheme', 'Basic dXNlcjpwYXNz'],
		['Bearer without token', 'Bearer '],
		['two tokens', 'Bearer a b'],
		['raw token without scheme', 'abc.def.ghi'],
	])('401 for a malformed Authorization header: %s', async (_name, header) => {
		const err = await caught(() => extractToken(req({ auth: header })))
		expect([err.status, err.code]).toEqual([401, 'NOT_AUTHENTICATED'])
		expect(err.message).toMatch(/Bearer <token>/)
	})

	it('401 for an absurdly long token', async () => {
		const err = await caught(() => extractToken(req({ auth: `Bearer ${'a'.repeat(9000)}` })))
		expect(err.status).toBe(401)
	})
})

describe('auth config (getConfig(env).auth)', () => {
	const { publicKey } = rsaPair()

	it('reads the PEM, secret key and authorized parties', () => {
		const c = authConfig({ CLERK_JWT_KEY: publicKey, CLERK_SECRET_KEY: 'sk_test_abc', ALLOWED_ORIGINS: 'https://a.example, https://b.example' })
		expect(c.jwtKey?.startsWith('-----BEGIN PUBLIC KEY-----\n')).toBe(true)
		expect(c.secretKey).toBe('sk_test_abc')
		expect(c.authorizedParties).toEqual(['https://a.example', 'https://b.example'])
		expect(Object.isFrozen(c)).toBe(true)
	})

	it.each([['*'], ['https://a.example,*'], ['']])('ALLOWED_ORIGINS=%j accepts any azp', (origins) => {
		expect(authConfig({ ALLOWED_ORIGINS: origins }).authorizedParties).toBeUndefined()
	})

	it('turns literal \\n escapes (a secret pasted on one line) into newlines', () => {
		const oneLine = publicKey.replace(/\n/g, '\\n')
		expect(authConfig({ CLERK_JWT_KEY: oneLine }).jwtKey).toBe(publicKey)
	})

	it('treats empty strings as unset', () => {
		expect(authConfig({ CLERK_JWT_KEY: '', CLERK_SECRET_KEY: '' })).toMatchObject({ jwtKey: undefined, secretKey: undefined })
	})

	it.each([
		['not a PEM', 'hello', /CLERK_JWT_KEY: must be a PEM public key/],
		['a private key', rsaPair().privateKey, /CLERK_JWT_KEY: must be a PEM public key/],
		['an RSA-4096 key', rsaPair(4096).publicKey, /CLERK_JWT_KEY: must be an RSA-2048 public key with exponent 65537/],
	])('rejects CLERK_JWT_KEY that is %s', (_name, value, message) => {
		expect(() => authConfig({ CLERK_JWT_KEY: value })).toThrow(message)
	})

	it('rejects a CLERK_SECRET_KEY that is not one', () => {
		expect(() => authConfig({ CLERK_SECRET_KEY: 'pk_test_123' })).toThrow(/CLERK_SECRET_KEY/)
	})
})

describe('verifySessionToken with a PEM key (networkless, the real @clerk/backend)', () => {
	const pair = rsaPair()
	const other = rsaPair()
	let config: AuthConfig
	let strict: AuthConfig
	let key: CryptoKey
	const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
		new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', ...header }).sign(key)
	const base = () => ({ sub: 'user_1', sid: 'sess_1', azp: 'https://app.example', iat: now(), nbf: now() - 5, exp: now() + 60 })

	beforeAll(async () => {
		config = authConfig({ CLERK_JWT_KEY: pair.publicKey })
		strict = authConfig({ CLERK_JWT_KEY: pair.publicKey, ALLOWED_ORIGINS: 'https://app.example' })
		key = (await importPKCS8(pair.privateKey, 'RS256')) as CryptoKey
	})

	it('accepts a valid token and returns the session', async () => {
		const token = await sign({ ...base(), name: 'Ada', email: 'ada@example.com' })
		expect(await verifySessionToken(token, strict)).toEqual({ userId: 'user_1', sessionId: 'sess_1', name: 'Ada', email: 'ada@example.com' })
	})

	it('accepts a token minted by scripts/token.ts', async () => {
		const token = await mintDevToken(pair.privateKey, { userId: 'dev_user', name: 'Dev', azp: 'https://app.example' })
		expect(await verifySessionToken(token, strict)).toMatchObject({ userId: 'dev_user', name: 'Dev' })
	})

	it('ignores name/email claims of the wrong type', async () => {
		const token = await sign({ ...base(), name: 42, email: null })
		expect(await verifySessionToken(token, config)).toEqual({ userId: 'user_1', sessionId: 'sess_1' })
	})

	it.each<[string, () => Promise<string>, RegExp]>([
		['expired', () => sign({ ...base(), iat: now() - 120, nbf: now() - 120, exp: now() - 60 }), /expired/],
		['not yet valid', () => sign({ ...base(), nbf: now() + 600, exp: now() + 1200 }), /not valid yet/],
		['issued in the future', () => sign({ ...base(), iat: now() + 600 }), /issued in the future/],
		['signed with another key', async () => new SignJWT(base()).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(await importPKCS8(other.privateKey, 'RS256')), /signature/],
		['alg none', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(base())}.`, /algorithm/],
		['HS256 signed with the public key as secret', () => new SignJWT(base()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(pair.publicKey)), /algorithm/],
		['a tampered payload', async () => { const [h, , s] = (await sign(base())).split('.'); return `${h}.${b64url({ ...base(), sub: 'user_admin' })}.${s}` }, /signature/],
		['missing sid', () => sign({ ...base(), sid: undefined }), /sid/],
		['a sub that is not a valid id', () => sign({ ...base(), sub: 'user/../x' }), /not a valid user id/],
		['missing exp', () => sign({ ...base(), exp: undefined }), /invalid/],
		['garbage', async () => 'not-a-jwt', /malformed|invalid/],
	])('401 for a token that is %s', async (_name, makeToken, message) => {
		const err = await caught(verifySessionToken(await makeToken(), config))
		expect([err.status, err.code]).toEqual([401, 'NOT_AUTHENTICATED'])
		expect(err.message).toMatch(message)
		expect(err.headers['WWW-Authenticate']).toBe('Bearer')
	})

	it.each([
		['another origin', 'https://evil.example'],
		['no azp at all', undefined],
	])('401 when ALLOWED_ORIGINS is set and azp is %s', async (_name, azp) => {
		const token = await sign({ ...base(), azp })
		const err = await caught(verifySessionToken(token, strict))
		expect(err.status).toBe(401)
		expect(err.message).toMatch(/azp/)
		// With ALLOWED_ORIGINS=* the same token is fine.
		expect(await verifySessionToken(token, config)).toMatchObject({ userId: 'user_1' })
	})

	it('maps the error to { error, code } JSON without echoing the token', async () => {
		const token = await sign({ ...base(), exp: now() - 60, iat: now() - 120, nbf: now() - 120 })
		const res = errorResponse(await caught(verifySessionToken(token, config)))
		expect(res.status).toBe(401)
		const body = await res.text()
		expect(JSON.parse(body)).toEqual({ error: 'session token has expired', code: 'NOT_AUTHENTICATED' })
		expect(body).not.toContain(token)
	})
})

describe('authenticator and request helpers', () => {
	const pair = rsaPair()
	const config = authConfig({ CLERK_JWT_KEY: pair.publicKey })

	it('authenticateRequest is null without a token and verifies a query token (WebSocket upgrades)', async () => {
		expect(await authenticateRequest(req(), config)).toBeNull()
		const token = await mintDevToken(pair.privateKey, { userId: 'alice', sessionId: 'sess_a' })
		expect(await authenticateRequest(req({ query: `?accessToken=${token}` }), config, 'websocket')).toEqual({ userId: 'alice', sessionId: 'sess_a' })
	})

	it('requireAuth(authenticateRequest): 401 "sign in required" without a token, the session with one', async () => {
		const err = await caught(async () => requireAuth(await authenticateRequest(req(), config)))
		expect([err.status, err.code]).toEqual([401, 'NOT_AUTHENTICATED'])
		expect(err.message).toMatch(/sign in required/)
		const token = await mintDevToken(pair.privateKey, { userId: 'bob' })
		expect(requireAuth(await authenticateRequest(req({ auth: `Bearer ${token}` }), config)).userId).toBe('bob')
	})

	it('requireAuth passes a session through and rejects null', async () => {
		expect(requireAuth({ userId: 'u', sessionId: 's' })).toEqual({ userId: 'u', sessionId: 's' })
		expect((await caught(() => requireAuth(null))).status).toBe(401)
	})

	it('500 AUTH_NOT_CONFIGURED when neither key is set', async () => {
		const err = await caught(verifySessionToken('a.b.c', authConfig({})))
		expect([err.status, err.code]).toEqual([500, 'AUTH_NOT_CONFIGURED'])
	})

	it('with only CLERK_SECRET_KEY, passes secretKey and authorizedParties to Clerk', async () => {
		const seen: unknown[] = []
		const verify: VerifyTokenFn = async (_token, options) => {
			seen.push(options)
			return { sub: 'user_9', sid: 'sess_9' }
		}
		const cfg = authConfig({ CLERK_SECRET_KEY: 'sk_test_x', ALLOWED_ORIGINS: 'https://app.example' })
		expect(await verifySessionToken('t', cfg, verify)).toEqual({ userId: 'user_9', sessionId: 'sess_9' })
		expect(seen).toEqual([{ secretKey: 'sk_test_x', authorizedParties: ['https://app.example'] }])
	})

	it('503 AUTH_UNAVAILABLE when Clerk keys cannot be loaded', async () => {
		const verify: VerifyTokenFn = async () => {
			throw Object.assign(new Error('Failed to load JWKS'), { reason: 'jwk-remote-failed-to-load' })
		}
		const err = await caught(verifySessionToken('t', authConfig({ CLERK_SECRET_KEY: 'sk_test_x' }), verify))
		expect([err.status, err.code]).toEqual([503, 'AUTH_UNAVAILABLE'])
	})

	it.each([
		['token-expired', 401, /expired/],
		['token-invalid-signature', 401, /signature/],
		['jwk-remote-missing', 401, /unknown key/],
		['secret-key-invalid', 503, /cannot be verified/],
		['something-new', 401, /invalid/],
	] as const)('describeTokenError(%s) → %i', (reason, status, message) => {
		const d = describeTokenError({ reason })
		expect(d.status).toBe(status)
		expect(d.message).toMatch(message)
	})
})
