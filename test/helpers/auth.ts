/** A Clerk-compatible key pair made per test run, and tokens signed with it (the same minting as `npm run token`). */
import { generateKeyPairSync } from 'node:crypto'
import { mintDevToken, type DevTokenOptions } from '../../scripts/token.ts'

export const TEST_ORIGIN = 'http://localhost:8787'

export function createTestKeys() {
	// Clerk's networkless verifier accepts only RSA-2048 with exponent 65537.
	const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })
	const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
	const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
	return {
		publicPem,
		token: (userId: string, opts: Omit<DevTokenOptions, 'userId'> = {}) => mintDevToken(privatePem, { azp: TEST_ORIGIN, ...opts, userId }),
	}
}

export function requireDatabaseUrl(): string {
	const url = process.env.DATABASE_URL
	if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test` (scripts/test.sh starts Postgres)')
	return url
}
