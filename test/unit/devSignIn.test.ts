import { generateKeyPairSync } from 'node:crypto'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { decideDevSignIn, devUserIdFor, signInDevUser } from '../../src/auth/devSignIn'
import { getConfig } from '../../src/config'

const KEY = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n'

describe('decideDevSignIn: the route exists only when enabled, and only answers localhost', () => {
	it.each([
		['not enabled', undefined, 'http://localhost:8787/app/dev/sign-in', null, 'absent'],
		['enabled, localhost', KEY, 'http://localhost:8787/app/dev/sign-in', null, 'allow'],
		['enabled, 127.0.0.1', KEY, 'http://127.0.0.1:8787/app/dev/sign-in', 'http://127.0.0.1:8787', 'allow'],
		['enabled, [::1]', KEY, 'http://[::1]:8787/app/dev/sign-in', null, 'allow'],
		['enabled, a public host', KEY, 'https://sync.example.com/app/dev/sign-in', null, 'refused'],
		['enabled, a LAN address', KEY, 'http://192.168.1.5:8787/app/dev/sign-in', null, 'refused'],
		['enabled, a look-alike host', KEY, 'http://localhost.example.com/app/dev/sign-in', null, 'refused'],
		['enabled, localhost but a foreign page asks', KEY, 'http://localhost:8787/app/dev/sign-in', 'https://evil.example', 'refused'],
		['enabled, a malformed Origin', KEY, 'http://localhost:8787/app/dev/sign-in', 'null', 'refused'],
	])('%s → %s', (_name, key, url, origin, kind) => {
		expect(decideDevSignIn({ devSignInKey: key }, url, origin).kind).toBe(kind)
	})

	it('config: DEV_SIGN_IN=true and a key enable it; either alone does not', () => {
		expect(getConfig({ DEV_SIGN_IN: 'true', DEV_SIGN_IN_KEY: KEY }).devSignInKey).toBe(KEY)
		expect(getConfig({ DEV_SIGN_IN: 'true' }).devSignInKey).toBeUndefined()
		expect(getConfig({ DEV_SIGN_IN_KEY: KEY }).devSignInKey).toBeUndefined()
		expect(getConfig({ DEV_SIGN_IN: 'false', DEV_SIGN_IN_KEY: KEY }).devSignInKey).toBeUndefined()
		expect(() => getConfig({ DEV_SIGN_IN: 'yes' })).toThrow(/DEV_SIGN_IN/)
	})
})

describe('dev users', () => {
	it.each([
		['alice', 'alice'],
		['Alice Smith', 'alice-smith'],
		['  bob_2 ', 'bob_2'],
		['Zoë!', 'zo'],
		['!!!', null],
	])('%j → %j', (name, id) => {
		expect(devUserIdFor(name)).toBe(id)
	})

	it('signs a Clerk-shaped token for the name’s user, for the asking origin', async () => {
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })
		const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
		const now = Date.parse('2026-11-30T10:00:00Z')
		const result = await signInDevUser({ kind: 'allow', privateKeyPem: pem }, 'Alice Smith', 'http://localhost:5173', now)
		expect(result).toMatchObject({ userId: 'alice-smith', name: 'Alice Smith', expiresAt: '2026-11-30T22:00:00.000Z' })
		expect(decodeJwt(result.token)).toMatchObject({ sub: 'alice-smith', name: 'Alice Smith', azp: 'http://localhost:5173', exp: now / 1000 + 12 * 3600 })
		await expect(signInDevUser({ kind: 'allow', privateKeyPem: pem }, '***', 'http://localhost')).rejects.toThrow(/letter or a digit/)
	})
})
