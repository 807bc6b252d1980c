/**
 * Creates (once) the RSA key pair that stands in for Clerk in local development and points the Worker
 * at its public half through `.dev.vars`. `scripts/token.ts` signs tokens with the private half.
 *   node scripts/dev-keys.ts [--dir .dev] [--dev-vars .dev.vars]
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

export const DEFAULT_KEY_DIR = '.dev'
export const DEFAULT_DEV_VARS = '.dev.vars'
export const DEV_PRIVATE_KEY_FILE = 'clerk-dev-private.pem'
export const DEV_PUBLIC_KEY_FILE = 'clerk-dev-public.pem'
export const JWT_KEY_VAR = 'CLERK_JWT_KEY'
/** With --dev-sign-in: the Worker's dev sign-in route (src/auth/devSignIn.ts) signs with the private key. */
export const DEV_SIGN_IN_VAR = 'DEV_SIGN_IN'
export const DEV_SIGN_IN_KEY_VAR = 'DEV_SIGN_IN_KEY'

const HELP = `usage: node scripts/dev-keys.ts [--dir DIR] [--dev-vars FILE] [--dev-sign-in]

Creates a development stand-in for Clerk's signing key, unless it already exists:
  DIR/${DEV_PRIVATE_KEY_FILE}  RSA-2048 private key (PKCS#8, mode 600); npm run token signs with it
  DIR/${DEV_PUBLIC_KEY_FILE}   its public key (SPKI), also printed
and sets ${JWT_KEY_VAR}="<public key PEM, newlines as \\n>" in FILE, keeping every other line.
An existing private key is reused, so tokens minted earlier stay valid. Restart wrangler dev after
${JWT_KEY_VAR} changes: it reads .dev.vars only at startup.
  --dir DIR        where the key files live (default: ${DEFAULT_KEY_DIR})
  --dev-vars FILE  the wrangler dev vars file to update (default: ${DEFAULT_DEV_VARS})
  --dev-sign-in    also set ${DEV_SIGN_IN_VAR}="true" and ${DEV_SIGN_IN_KEY_VAR}="<private key>" in FILE, which
                   turns on the web app's dev sign-in (POST /app/dev/sign-in, localhost only)
  --help           this text`

/** Clerk's networkless verifier only accepts RSA keys of exactly 2048 bits with exponent 65537. */
function assertClerkCompatible(key: KeyObject, where: string): void {
	const details = key.asymmetricKeyDetails
	if (key.asymmetricKeyType !== 'rsa' || details?.modulusLength !== 2048 || details.publicExponent !== 65537n) {
		throw new Error(`${where} is not an RSA-2048 key with exponent 65537, the only kind Clerk's verifyToken accepts; delete it to create a new one`)
	}
}

/**
 * A dotenv double-quoted value: wrangler's .dev.vars parser (dotenv 16) turns `\n` inside double quotes
 * into a newline, so a PEM fits on one line and line-based edits stay safe.
 */
export function quoteDotenvValue(value: string): string {
	if (/["\\]/.test(value)) throw new Error('value must not contain double quotes or backslashes')
	return `"${value.replace(/\r?\n/g, '\\n')}"`
}

/**
 * Sets `key=value` in dotenv text: replaces the first definition (including a multi-line quoted value),
 * drops later duplicates, keeps every other line as it was, appends when the key is new.
 */
export function upsertDotenvVar(content: string, key: string, quotedValue: string): string {
	const lines = content === '' ? [] : content.replace(/\r\n?/g, '\n').split('\n')
	if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
	const defRe = new RegExp(`^\\s*(?:export\\s+)?${key.replace(/[.]/g, '\\.')}\\s*=\\s*(.*)$`)
	const out: string[] = []
	let replaced = false
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i] ?? ''
		const match = defRe.exec(line)
		if (!match) {
			out.push(line)
			continue
		}
		// A value that opens a quote and does not close it on this line continues on the next lines.
		const rest = match[1] ?? ''
		const quote = rest[0]
		if ((quote === '"' || quote === "'" || quote === '`') && rest.indexOf(quote, 1) === -1) {
			while (i + 1 < lines.length && !(lines[i + 1] ?? '').includes(quote)) i++
			if (i + 1 < lines.length) i++
		}
		if (!replaced) out.push(`${key}=${quotedValue}`)
		replaced = true
	}
	if (!replaced) out.push(`${key}=${quotedValue}`)
	return out.join('\n') + '\n'
}

export type DevKeys = {
	privateKeyPath: string
	publicKeyPath: string
	publicKeyPem: string
	/** True when this call generated the key pair. */
	created: boolean
	/** True when the dev vars file was written (it already held the same key otherwise). */
	devVarsUpdated: boolean
}

export function ensureDevKeys(opts: { dir?: string; devVarsPath?: string; devSignIn?: boolean } = {}): DevKeys {
	const dir = path.resolve(opts.dir ?? DEFAULT_KEY_DIR)
	const devVarsPath = path.resolve(opts.devVarsPath ?? DEFAULT_DEV_VARS)
	const privateKeyPath = path.join(dir, DEV_PRIVATE_KEY_FILE)
	const publicKeyPath = path.join(dir, DEV_PUBLIC_KEY_FILE)
	mkdirSync(dir, { recursive: true })

	let created = false
	let publicKeyPem: string
	let privateKeyPem: string
	if (existsSync(privateKeyPath)) {
		privateKeyPem = readFileSync(privateKeyPath, 'utf8')
		const publicKey = createPublicKey(privateKeyPem)
		assertClerkCompatible(publicKey, privateKeyPath)
		publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
	} else {
		const pair = generateKeyPairSync('rsa', {
			modulusLength: 2048,
			publicExponent: 65537,
			publicKeyEncoding: { type: 'spki', format: 'pem' },
			privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
		})
		writeFileSync(privateKeyPath, pair.privateKey, { mode: 0o600 })
		chmodSync(privateKeyPath, 0o600)
		publicKeyPem = pair.publicKey
		privateKeyPem = pair.privateKey
		created = true
	}
	if (!existsSync(publicKeyPath) || readFileSync(publicKeyPath, 'utf8') !== publicKeyPem) {
		writeFileSync(publicKeyPath, publicKeyPem)
	}

	const before = existsSync(devVarsPath) ? readFileSync(devVarsPath, 'utf8') : ''
	let after = upsertDotenvVar(before, JWT_KEY_VAR, quoteDotenvValue(publicKeyPem))
	if (opts.devSignIn) {
		after = upsertDotenvVar(after, DEV_SIGN_IN_VAR, '"true"')
		after = upsertDotenvVar(after, DEV_SIGN_IN_KEY_VAR, quoteDotenvValue(privateKeyPem))
	}
	const devVarsUpdated = after !== before
	if (devVarsUpdated) writeFileSync(devVarsPath, after, { mode: 0o600 })
	return { privateKeyPath, publicKeyPath, publicKeyPem, created, devVarsUpdated }
}

function parseCli(argv: string[]) {
	const { values } = parseArgs({
		args: argv,
		allowPositionals: false,
		options: { dir: { type: 'string' }, 'dev-vars': { type: 'string' }, 'dev-sign-in': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
	})
	return values
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	let values: ReturnType<typeof parseCli>
	try {
		values = parseCli(process.argv.slice(2))
	} catch (err) {
		console.error(`error: ${err instanceof Error ? err.message : err}\n\n${HELP}`)
		process.exit(2)
		// process.exit is typed `never` by @types/node but not by workers-types, which this file also sees.
		throw err
	}
	if (values.help) {
		console.log(HELP)
		process.exit(0)
		throw new Error('unreachable')
	}
	try {
		const keys = ensureDevKeys({ dir: values.dir, devVarsPath: values['dev-vars'], devSignIn: values['dev-sign-in'] })
		const rel = (p: string) => path.relative(process.cwd(), p) || p
		console.log(`${keys.created ? 'created' : 'using existing'} dev signing key ${rel(keys.privateKeyPath)}`)
		console.log(`public key ${rel(keys.publicKeyPath)}:\n${keys.publicKeyPem.trimEnd()}`)
		console.log(
			keys.devVarsUpdated
				? `set ${JWT_KEY_VAR} in ${rel(path.resolve(values['dev-vars'] ?? DEFAULT_DEV_VARS))} (restart wrangler dev to pick it up)`
				: `${JWT_KEY_VAR} in ${rel(path.resolve(values['dev-vars'] ?? DEFAULT_DEV_VARS))} is up to date`,
		)
	} catch (err) {
		console.error(`error: ${err instanceof Error ? err.message : err}`)
		process.exit(1)
	}
}
