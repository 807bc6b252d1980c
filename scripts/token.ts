/**
 * Prints a Clerk-style session token signed with the dev key from scripts/dev-keys.ts, which the dev
 * Worker accepts through CLERK_JWT_KEY.
 *   npm run -s token -- <userId> [--name N] [--email E] [--ttl S] [--azp ORIGIN]
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DEFAULT_AZP, DEFAULT_TTL_SECONDS, mintDevToken, type DevTokenOptions } from '../src/auth/mintDevToken.ts'
import { DEFAULT_KEY_DIR, DEV_PRIVATE_KEY_FILE } from './dev-keys.ts'

export { DEFAULT_AZP, DEFAULT_TTL_SECONDS, DEV_KEY_ID, DEV_TOKEN_ISSUER, mintDevToken, type DevTokenOptions } from '../src/auth/mintDevToken.ts'

const HELP = `usage: npm run -s token -- <userId> [--name N] [--email E] [--ttl S] [--azp ORIGIN] [--sid S] [--dir DIR]

Prints an RS256 session token for <userId> in the shape Clerk issues (sub, sid, azp, iss, iat, nbf, exp,
header kid), signed with DIR/${DEV_PRIVATE_KEY_FILE}; run node scripts/dev-keys.ts (or ./dev.sh) first.
Only the token goes to stdout (use npm run -s so npm adds nothing), e.g.
  TOKEN=$(npm run -s token -- alice) && curl -H "Authorization: Bearer $TOKEN" localhost:8787/app/files
  <userId>       the Clerk user id (sub): 1-128 of A-Z a-z 0-9 _ -
  --name N       adds a "name" claim
  --email E      adds an "email" claim
  --ttl S        lifetime in seconds (default ${DEFAULT_TTL_SECONDS}); --ttl=-60 mints an already expired token
  --azp ORIGIN   authorized party, must be in the Worker's ALLOWED_ORIGINS unless that is * (default ${DEFAULT_AZP})
  --sid S        session id (default: a random sess_dev_…)
  --dir DIR      where the dev key lives (default: ${DEFAULT_KEY_DIR})
  --help         this text`

export function readDevPrivateKey(dir: string = DEFAULT_KEY_DIR): string {
	const file = path.resolve(dir, DEV_PRIVATE_KEY_FILE)
	if (!existsSync(file)) throw new Error(`${file} does not exist: run node scripts/dev-keys.ts (or ./dev.sh) first`)
	return readFileSync(file, 'utf8')
}

function parseCli(argv: string[]) {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			name: { type: 'string' },
			email: { type: 'string' },
			ttl: { type: 'string' },
			azp: { type: 'string' },
			sid: { type: 'string' },
			dir: { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
	})
	if (values.help) return { help: true as const }
	if (positionals.length !== 1) throw new Error('exactly one <userId> is required')
	let ttlSeconds: number | undefined
	if (values.ttl !== undefined) {
		if (!/^-?\d+$/.test(values.ttl)) throw new Error('--ttl must be a whole number of seconds')
		ttlSeconds = Number(values.ttl)
	}
	const options: DevTokenOptions = { userId: positionals[0] ?? '', ttlSeconds, name: values.name, email: values.email, azp: values.azp, sessionId: values.sid }
	return { help: false as const, dir: values.dir, options }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	let cli: ReturnType<typeof parseCli>
	try {
		cli = parseCli(process.argv.slice(2))
	} catch (err) {
		console.error(`error: ${err instanceof Error ? err.message : err}\n\n${HELP}`)
		process.exit(2)
		// process.exit is typed `never` by @types/node but not by workers-types, which this file also sees.
		throw err
	}
	if (cli.help) {
		console.log(HELP)
		process.exit(0)
		throw new Error('unreachable')
	}
	try {
		console.log(await mintDevToken(readDevPrivateKey(cli.dir), cli.options))
	} catch (err) {
		console.error(`error: ${err instanceof Error ? err.message : err}`)
		process.exit(1)
	}
}
