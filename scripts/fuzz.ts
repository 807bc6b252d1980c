/**
 * npm run fuzz -- [--seeds N] [--from S] [--seed S] [--ops N] [--writers N] [--kill always|never|by-seed]
 *
 * Seeded chaos runs against the real worker (see test/fuzz/chaos.ts): real tldraw clients edit, drop
 * their sockets, and (by default every even seed) workerd is SIGKILLed and restarted mid-run; each run
 * checks that every client ends with the server's document, that no create nobody deleted is lost, and
 * that nothing the read-only client did landed. Prints one line per seed and the failing seeds (replay
 * one with --seed S); exits 1 if any failed.
 */
import { parseArgs } from 'node:util'
import { runChaos } from '../test/fuzz/chaos.ts'

const HELP = `Usage: npm run fuzz -- [options]

Seeded chaos runs against the real worker (wrangler dev): 3 real tldraw writers and a read-only client
make random creates, updates, deletes and batches, drop their sockets, and in some seeds workerd is
killed (SIGKILL) and restarted. Each run checks that every client ends with the server's document, that
every create nobody deleted exists, and that no read-only write landed anywhere.

Options:
  --seeds N      how many seeds to run (default 5)
  --from S       first seed (default 1); seeds S, S+1, …
  --seed S       run only seed S (replay a failure)
  --ops N        operations per run, all clients together (default 120)
  --writers N    writer clients (default 3)
  --kill MODE    always | never | by-seed (default: by-seed, every even seed)
  -h, --help     show this help

Prints one line per seed, then the seeds that failed; exits 1 if any failed.`

const { values } = parseArgs({
	options: {
		seeds: { type: 'string', default: '5' },
		from: { type: 'string', default: '1' },
		seed: { type: 'string' },
		ops: { type: 'string', default: '120' },
		writers: { type: 'string', default: '3' },
		kill: { type: 'string', default: 'by-seed' },
		help: { type: 'boolean', short: 'h', default: false },
	},
})

function positive(name: string, value: string | undefined, min = 1): number {
	const n = Number(value)
	if (!Number.isInteger(n) || n < min) {
		console.error(`--${name} must be an integer ≥ ${min} (got ${JSON.stringify(value)})`)
		process.exit(2)
	}
	return n
}

if (values.help) {
	console.log(HELP)
	process.exit(0)
}
const killModes = { always: true, never: false, 'by-seed': 'by-seed' } as const
if (!(values.kill in killModes)) {
	console.error(`--kill must be always, never or by-seed (got ${JSON.stringify(values.kill)})`)
	process.exit(2)
}
const kill = killModes[values.kill as keyof typeof killModes]
const seeds = values.seed !== undefined ? [positive('seed', values.seed, 0)] : Array.from({ length: positive('seeds', values.seeds) }, (_, i) => positive('from', values.from, 0) + i)
const ops = positive('ops', values.ops)
const writers = positive('writers', values.writers)

const failed: number[] = []
for (const seed of seeds) {
	const r = await runChaos({ seed, ops, writers, kill, log: (line) => console.log(`  ${line}`) })
	console.log(`seed ${seed}: ${r.ok ? 'ok' : 'FAILED'} (${r.ops} ops, ${r.drops} drops${r.killed ? ', workerd killed' : ''}, ${r.shapesAtEnd} shapes, ${(r.ms / 1000).toFixed(1)} s)`)
	for (const f of r.failures) console.log(`  ✗ ${f}`)
	if (!r.ok) failed.push(seed)
}
console.log(failed.length ? `failing seeds: ${failed.join(' ')} (replay: npm run fuzz -- --seed <S>)` : `all ${seeds.length} seeds passed`)
process.exit(failed.length ? 1 : 0)
