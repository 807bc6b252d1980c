import { execFile } from 'node:child_process'
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { unstable_getVarsForDev } from 'wrangler'
import { getConfig } from '../../src/config'
import { verifySessionToken } from '../../src/auth/authenticateRequest'
import { ensureDevKeys, quoteDotenvValue, upsertDotenvVar } from '../../scripts/dev-keys.ts'
import { DEV_KEY_ID, DEV_TOKEN_ISSUER, mintDevToken, readDevPrivateKey } from '../../scripts/token.ts'

const run = promisify(execFile)
const ROOT = path.resolve(import.meta.dirname, '../..')
const tmpDirs: string[] = []
const tmp = () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'sync-worker-keys-'))
	tmpDirs.push(dir)
	return dir
}
afterAll(() => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** What wrangler dev will hand the Worker from `dir/.dev.vars` (its own dotenv parser). */
function wranglerDevVars(dir: string): Record<string, string> {
	const vars = unstable_getVarsForDev(path.join(dir, 'wrangler.toml'), undefined, {}, undefined, true)
	return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String((v as { value: unknown }).value)]))
}

const node = (script: string, args: string[], cwd: string) => run(process.execPath, [path.join(ROOT, 'scripts', script), ...args], { cwd })

describe('upsertDotenvVar', () => {
	const V = '"new"'
	it.each([
		['empty file', '', 'K="new"\n'],
		['appends, keeping other lines', 'A=1\n# note\n', 'A=1\n# note\nK="new"\n'],
		['adds the missing final newline', 'A=1', 'A=1\nK="new"\n'],
		['replaces in place', 'A=1\nK=old\nB=2\n', 'A=1\nK="new"\nB=2\n'],
		['replaces an export line', 'export K="old"\nB=2\n', 'K="new"\nB=2\n'],
		['replaces a multi-line quoted value', 'A=1\nK="-----BEGIN\nabc\n-----END"\nB=2\n', 'A=1\nK="new"\nB=2\n'],
		['drops later duplicates', 'K=1\nA=1\nK=2\n', 'K="new"\nA=1\n'],
		['leaves similar keys alone', 'KK=1\nK_2=2\n', 'KK=1\nK_2=2\nK="new"\n'],
		['keeps CRLF files readable', 'A=1\r\nK=old\r\n', 'A=1\nK="new"\n'],
	])('%s', (_name, before, after) => {
		expect(upsertDotenvVar(before, 'K', V)).toBe(after)
	})

	it('quoteDotenvValue escapes newlines and refuses quotes/backslashes', () => {
		expect(quoteDotenvValue('a\nb\r\nc')).toBe('"a\\nb\\nc"')
		expect(() => quoteDotenvValue('say "hi"')).toThrow()
		expect(() => quoteDotenvValue('a\\b')).toThrow()
	})
})

describe('ensureDevKeys', () => {
	it('creates a Clerk-compatible key pair once and points .dev.vars at it, keeping other lines', () => {
		const dir = tmp()
		writeFileSync(path.join(dir, '.dev.vars'), 'DATABASE_URL="postgres://x"\nCLERK_JWT_KEY="-----BEGIN PUBLIC KEY-----\nold\n-----END PUBLIC KEY-----"\nOTHER=1\n')
		const first = ensureDevKeys({ dir: path.join(dir, '.dev'), devVarsPath: path.join(dir, '.dev.vars') })
		expect(first).toMatchObject({ created: true, devVarsUpdated: true })
		expect(statSync(first.privateKeyPath).mode & 0o777).toBe(0o600)
		const pub = createPublicKey(first.publicKeyPem)
		expect(pub.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n })
		expect(readFileSync(first.publicKeyPath, 'utf8')).toBe(first.publicKeyPem)

		const vars = wranglerDevVars(dir)
		expect(vars.CLERK_JWT_KEY).toBe(first.publicKeyPem)
		expect(vars.DATABASE_URL).toBe('postgres://x')
		expect(vars.OTHER).toBe('1')

		const second = ensureDevKeys({ dir: path.join(dir, '.dev'), devVarsPath: path.join(dir, '.dev.vars') })
		expect(second).toMatchObject({ created: false, devVarsUpdated: false, publicKeyPem: first.publicKeyPem })
	})

	it('refuses an existing key Clerk could not verify', () => {
		const dir = tmp()
		const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
		const keyDir = path.join(dir, '.dev')
		mkdirSync(keyDir)
		writeFileSync(path.join(keyDir, 'clerk-dev-private.pem'), privateKey)
		expect(() => ensureDevKeys({ dir: keyDir, devVarsPath: path.join(dir, '.dev.vars') })).toThrow(/RSA-2048/)
	})
})

describe('dev key → .dev.vars → Worker auth config → token, end to end', () => {
	it('a token from scripts/token.ts verifies against what wrangler dev loads', async () => {
		const dir = tmp()
		ensureDevKeys({ dir: path.join(dir, '.dev'), devVarsPath: path.join(dir, '.dev.vars') })
		const config = getConfig({ ...wranglerDevVars(dir), ALLOWED_ORIGINS: 'http://localhost:8787' }).auth
		const token = await mintDevToken(readDevPrivateKey(path.join(dir, '.dev')), { userId: 'alice', name: 'Alice', email: 'a@example.com' })
		expect(await verifySessionToken(token, config)).toMatchObject({ userId: 'alice', name: 'Alice', email: 'a@example.com' })
		expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: DEV_KEY_ID, typ: 'JWT' })
		const claims = decodeJwt(token)
		expect(claims).toMatchObject({ sub: 'alice', iss: DEV_TOKEN_ISSUER, azp: 'http://localhost:8787' })
		expect(claims.sid).toMatch(/^sess_dev_/)
		expect(claims.exp! - claims.iat!).toBe(86_400)
		expect(claims.nbf).toBeLessThan(claims.iat!)
	})

	it('readDevPrivateKey explains what to run when the key is missing', () => {
		expect(() => readDevPrivateKey(path.join(tmp(), 'nope'))).toThrow(/dev-keys/)
	})

	it('mintDevToken refuses a user id the Worker would reject', async () => {
		await expect(mintDevToken('unused', { userId: 'a/b' })).rejects.toThrow(/userId/)
	})
})

describe('CLIs: --help documents exactly what they accept', () => {
	it('dev-keys: every documented option works; unknown ones exit 2 with the usage', async () => {
		const cwd = tmp()
		const help = (await node('dev-keys.ts', ['--help'], cwd)).stdout
		expect(help).toMatch(/^usage: node scripts\/dev-keys.ts/)
		expect([...help.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1])).toEqual(['--dir', '--dev-vars', '--dev-sign-in', '--help'])

		const out = (await node('dev-keys.ts', ['--dir', 'keys', '--dev-vars', 'vars.env'], cwd)).stdout
		expect(out).toMatch(/created dev signing key keys\/clerk-dev-private.pem/)
		expect(out).toMatch(/-----BEGIN PUBLIC KEY-----/)
		expect(readFileSync(path.join(cwd, 'vars.env'), 'utf8')).toMatch(/^CLERK_JWT_KEY="-----BEGIN PUBLIC KEY-----\\n/)
		expect((await node('dev-keys.ts', ['--dir', 'keys', '--dev-vars', 'vars.env'], cwd)).stdout).toMatch(/using existing.*\n[\s\S]*is up to date/)
		// --dev-sign-in adds the dev sign-in switch and the private key the route signs with.
		await node('dev-keys.ts', ['--dir', 'keys', '--dev-vars', 'vars.env', '--dev-sign-in'], cwd)
		const vars = readFileSync(path.join(cwd, 'vars.env'), 'utf8')
		expect(vars).toMatch(/^DEV_SIGN_IN="true"$/m)
		expect(vars).toMatch(/^DEV_SIGN_IN_KEY="-----BEGIN PRIVATE KEY-----\\n/m)
		expect(vars.match(/^CLERK_JWT_KEY=/gm)).toHaveLength(1)

		const bad = await node('dev-keys.ts', ['--nope'], cwd).catch((e) => e)
		expect(bad.code).toBe(2)
		expect(bad.stderr).toMatch(/usage:/)
	})

	it('token: every documented option works and ends up in the token', async () => {
		const cwd = tmp()
		await node('dev-keys.ts', ['--dir', 'k'], cwd)
		const help = (await node('token.ts', ['--help'], cwd)).stdout
		expect([...help.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1])).toEqual(['--name', '--email', '--ttl', '--azp', '--sid', '--dir', '--help'])

		const { stdout } = await node('token.ts', ['bob', '--name', 'Bob', '--email', 'b@example.com', '--ttl', '120', '--azp', 'https://app.example', '--sid', 'sess_x', '--dir', 'k'], cwd)
		expect(stdout.trim().split('\n')).toHaveLength(1)
		const claims = decodeJwt(stdout.trim())
		expect(claims).toMatchObject({ sub: 'bob', name: 'Bob', email: 'b@example.com', azp: 'https://app.example', sid: 'sess_x' })
		expect(claims.exp! - claims.iat!).toBe(120)

		const expired = decodeJwt((await node('token.ts', ['bob', '--ttl=-60', '--dir', 'k'], cwd)).stdout.trim())
		expect(expired.exp!).toBeLessThan(Date.now() / 1000)

		for (const args of [[], ['a', 'b'], ['bob', '--ttl', 'soon'], ['bob', '--what']]) {
			const err = await node('token.ts', [...args, '--dir', 'k'], cwd).catch((e) => e)
			expect(err.code, args.join(' ')).toBe(2)
			expect(err.stderr).toMatch(/usage:/)
		}
		const noKey = await node('token.ts', ['bob', '--dir', 'missing'], cwd).catch((e) => e)
		expect(noKey.code).toBe(1)
		expect(noKey.stderr).toMatch(/run node scripts\/dev-keys.ts/)
	})
})
