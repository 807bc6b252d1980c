/** Assembles REPORT.md from one run's results (and the previous run's ratios). */
import type { MachineInfo } from './machine.ts'
import { bytes, table, type Ratios } from './markdown.ts'
import { readWranglerVar } from './wranglerVars.ts'

export interface RunHeader {
	command: string
	startedAt: string
	durationS: number
	quick: boolean
	machine: MachineInfo
	loadAverageAtEnd: number
	/** When the previous results.json was written, if there was one. */
	previousStartedAt: string | null
	/** `--var` overrides sync-worker ran with. */
	syncWorkerVars: Record<string, string>
}

export function renderReport(header: RunHeader, sections: string[], notes: string[]): string {
	const m = header.machine
	return [
		'# sync-worker benchmark report',
		'',
		`Produced by \`${header.command}\` (repo root), started ${header.startedAt}, took ${(header.durationS / 60).toFixed(1)} min.${header.quick ? ' **Quick mode (BENCH_QUICK=1): reduced counts, not for comparison.**' : ''} Every figure below comes from that run; raw data in \`bench/results.json\`.`,
		'',
		'## How to run',
		'',
		'```sh',
		'npm run bench                                   # runs node bench/run.ts first (this report), then any other bench steps package.json lists',
		'PATH=$PWD/node_modules/.bin:$PATH node bench/run.ts   # this report alone, with the repo\'s Node 22',
		'node bench/run.ts --only=throughput,profile            # some scenarios only; results go to a temporary directory',
		'node bench/checkpoint-steps.ts                         # bench/CHECKPOINT.md: how long each export step holds a room at 10,000 shapes',
		'```',
		'',
		'bench/run.ts starts everything itself on free loopback ports — `wrangler dev` for sync-worker and for bench/limit, two Node baseline servers — keeps their state in a temporary directory that it deletes, and rewrites `bench/REPORT.md` and `bench/results.json`. The ratio tables put the previous `results.json` beside this run, so commit both files after a run. `BENCH_QUICK=1` shrinks every count for a smoke run; `BENCH_OUT_DIR=dir` writes the two files elsewhere. Runs on one machine: close other heavy work first (the load average is recorded below).',
		'',
		'## Machine',
		'',
		table(
			['item', 'value'],
			[
				['nproc', m.nproc],
				['CPU', m.cpuModel],
				['memory', bytes(m.memoryBytes)],
				['node', m.node],
				['workerd', m.workerd],
				['wrangler', m.wrangler],
				['@tldraw/sync-core', m.syncCore],
				['commit', m.gitCommit],
				['date', header.startedAt],
				['load average (1 min) at start / end', `${m.loadAverageAtStart.toFixed(2)} / ${header.loadAverageAtEnd.toFixed(2)}`],
				['previous run compared against', header.previousStartedAt ?? 'none (first run: previous columns are empty)'],
			],
		),
		'',
		'## Systems',
		'',
		`- **sync-worker** — this repo's worker (\`src/worker.ts\`, \`RoomDurableObject\`: TLSocketRoom on Durable Object SQLite, hibernatable sockets, R2 export) under \`wrangler dev\` and the repo's wrangler.toml, run from a copy of src/, durable-objects/ and the config taken when the run started (\`wrangler dev\` restarts workerd on every source change, which would drop all rooms while others edit the tree; \`.dev.vars\` is not copied, so no Postgres or Clerk — anonymous rooms need neither), rooms at \`ws://127.0.0.1:P/r/<id>\`, plus ${Object.entries(header.syncWorkerVars).map(([k, v]) => `\`--var ${k}:${v}\``).join(', ')}: the configured session limit (MAX_SESSIONS_PER_ROOM = ${readWranglerVar('MAX_SESSIONS_PER_ROOM')}) would refuse the 100- and 250-client rooms and the per-session push rate limit (MAX_PUSHES_PER_SECOND = ${readWranglerVar('MAX_PUSHES_PER_SECOND')}, PUSH_BURST = ${readWranglerVar('PUSH_BURST')}) would close the throughput writer with RATE_LIMITED, so the run measures capacity rather than those policies. \`wrangler dev\` runs two workerd processes, a proxy on the public port and the runtime, and every message crosses both; a deployed worker has no such proxy.`,
		'- **baseline** — `bench/baseline-server.ts`: TLSocketRoom from @tldraw/sync-core on plain Node with `ws`, InMemorySyncStorage, a separate child process.',
		'- **baseline-sqlite** — the same server with `--storage sqlite` (SQLiteSyncStorage + NodeSqliteWrapper over node:sqlite), for scenarios 3 and 4.',
		'- **limit** — `bench/limit/worker.ts`: a Durable Object that relays each WebSocket message to the room\'s other sockets (hibernation API, no tldraw, no storage) under its own `wrangler dev` with the same workerd. It approximates the least work per message any room on this runtime can do (it does not batch, see scenario 2).',
		'- **limit-durable** — `DurableBroadcastRoom` in the same worker (`/durable/r/<id>`): the relay, but each message is first inserted into the object\'s SQLite; workerd\'s output gate holds the relayed sends until that write is durable, the contract a durable room keeps (sync-worker acknowledges a push once SQLiteSyncStorage committed it). The least work any durable room on this runtime can do per message.',
		'- **load generator** — `bench/run.ts` itself: one Node process with protocol-level clients on plain `ws` (no TLSyncClient), compression off for every system. Its CPU use is reported beside the latencies; all latencies are on its clock.',
		'',
		...sections.flatMap((s) => [s, '']),
		'## Notes: what could not be measured cleanly',
		'',
		...notes.map((n) => `- ${n}`),
		'',
	].join('\n')
}

/** Merges every scenario's ratios into the flat map stored in results.json. */
export function mergeRatios(...parts: Ratios[]): Ratios {
	return Object.assign({}, ...parts) as Ratios
}
