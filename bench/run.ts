/**
 * `npm run bench` (= node bench/run.ts): starts every system, runs every scenario once, and writes
 * bench/results.json and bench/REPORT.md. See REPORT.md's "How to run".
 *
 * Env: BENCH_QUICK=1 for reduced counts; BENCH_OUT_DIR to write the results elsewhere.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchContext } from './lib/BenchContext.ts'
import { describeMachine } from './lib/machine.ts'
import type { Ratios } from './lib/markdown.ts'
import { collectNotes } from './lib/notes.ts'
import { killAllGroupsNow } from './lib/processes.ts'
import { mergeRatios, renderReport } from './lib/report.ts'
import { computeSummary, renderSummary, summaryOfOlderResults, type Summary } from './lib/summary.ts'
import { renderDurability, runDurability } from './scenarios/durability.ts'
import { renderFanout, runFanout } from './scenarios/fanout.ts'
import { renderJoinTime, runJoinTime } from './scenarios/joinTime.ts'
import { renderMemory, runMemory } from './scenarios/memory.ts'
import { renderProtocolChecks, runProtocolChecks } from './scenarios/protocolCheck.ts'
import { renderProfile, runProfile } from './scenarios/profile.ts'
import { renderR2Export, runR2Export } from './scenarios/r2Export.ts'
import { renderSyncCoreOnNode, runSyncCoreOnNode } from './scenarios/syncCoreOnNode.ts'
import { renderThroughput, runThroughput } from './scenarios/throughput.ts'
import { BaselineServer } from './systems/BaselineServer.ts'
import { baselineSystem, wranglerSystem } from './systems/BenchSystem.ts'
import { snapshotProject, WranglerDev } from './systems/WranglerDev.ts'

const HELP = `usage: npm run bench            (bench/run.ts, then bench/replication.ts)
       node bench/run.ts          (this part alone; Node 22 first on PATH)

Runs sync-worker, a bare TLSocketRoom on Node (in-memory and SQLite) and a raw relay Durable Object (plain,
and writing each message to SQLite first) side by side on loopback (fan-out, throughput, join time,
durability, memory/hibernation, R2 export) and rewrites bench/REPORT.md and bench/results.json, keeping the
previous run's ratios beside. About 10–15 minutes; stops itself after 20.
Options: --only=fanout,throughput,join,durability,memory,r2,profile  run just those scenarios (r2 needs join) and
         write the results to a temporary directory (printed), never over the committed ones.
Env: BENCH_QUICK=1 (reduced counts, ~3 min), BENCH_OUT_DIR=dir (write the two files there).`
if (process.argv.includes('--help') || process.argv.includes('-h')) {
	console.log(HELP)
	process.exit(0)
}

/** How this run was started, for the report's first line. */
const COMMAND = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node bench/run.ts'
/**
 * sync-worker's own limits would stop the benchmark before the system does: 250 clients exceed
 * MAX_SESSIONS_PER_ROOM (50) and the throughput ramp exceeds the per-session push rate limit (60/s,
 * burst 120). Raised with `--var`; wrangler.toml is untouched and the report lists the overrides.
 */
const SYNC_WORKER_VAR_OVERRIDES = { MAX_SESSIONS_PER_ROOM: '1000', MAX_PUSHES_PER_SECOND: '1000000', PUSH_BURST: '1000000' }
/** What sync-worker is built from (copied at the start of the run, see snapshotProject). */
const SYNC_WORKER_SOURCES = ['src', 'durable-objects', 'schema', 'wrangler.toml', 'package.json', 'tsconfig.json']
/** Hard stop. A run takes ~10 min on a quiet machine; this leaves room for a loaded one. */
const DEADLINE_MS = 20 * 60_000
const BENCH_DIR = new URL('.', import.meta.url).pathname
const SCENARIOS = ['fanout', 'throughput', 'join', 'durability', 'memory', 'r2', 'profile'] as const
type ScenarioName = (typeof SCENARIOS)[number]
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const only = onlyArg ? new Set(onlyArg.split(',') as ScenarioName[]) : null
for (const name of only ?? []) if (!SCENARIOS.includes(name)) throw new Error(`--only: unknown scenario ${name} (${SCENARIOS.join(', ')})`)
if (only?.has('r2')) only.add('join')
const runs = (name: ScenarioName) => only === null || only.has(name)
const outDir = process.env.BENCH_OUT_DIR ?? (only ? mkdtempSync(join(tmpdir(), 'sync-worker-bench-only-')) : BENCH_DIR)
const quick = process.env.BENCH_QUICK === '1'

interface PreviousResults {
	startedAt: string
	ratios: Ratios
	summary: Summary | null
}

function readPrevious(path: string): PreviousResults | null {
	if (!existsSync(path)) return null
	try {
		const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<PreviousResults>
		return typeof parsed.startedAt === 'string' && typeof parsed.ratios === 'object' && parsed.ratios !== null
			? { startedAt: parsed.startedAt, ratios: parsed.ratios, summary: summaryOfOlderResults(parsed as never) }
			: null
	} catch {
		return null
	}
}

const started = performance.now()
const log = (message: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`)

async function main() {
	const startedAt = new Date().toISOString()
	const machine = describeMachine()
	const previous = readPrevious(join(BENCH_DIR, 'results.json'))
	const workDir = mkdtempSync(join(tmpdir(), 'sync-worker-bench-'))
	const runId = `b${Date.now().toString(36)}`
	log(`state and logs in ${workDir}`)

	const syncWorkerPersistDir = join(workDir, 'sync-worker-state')
	const syncWorkerDev = new WranglerDev({
		projectDir: snapshotProject(SYNC_WORKER_SOURCES, join(workDir, 'sync-worker-code')),
		configPath: 'wrangler.toml',
		persistTo: syncWorkerPersistDir,
		logFile: join(workDir, 'sync-worker.log'),
		vars: SYNC_WORKER_VAR_OVERRIDES,
		healthPath: '/health',
	})
	const limitDev = new WranglerDev({ configPath: 'bench/limit/wrangler.toml', persistTo: join(workDir, 'limit-state'), logFile: join(workDir, 'limit.log'), healthPath: '/health' })
	const baseline = new BaselineServer({ storage: 'memory', dir: join(workDir, 'baseline'), logFile: join(workDir, 'baseline.log') })
	const baselineSqlite = new BaselineServer({ storage: 'sqlite', dir: join(workDir, 'baseline-sqlite'), logFile: join(workDir, 'baseline-sqlite.log') })
	const stopAll = () => Promise.all([syncWorkerDev.stop(), limitDev.stop(), baseline.stop(), baselineSqlite.stop()])
	let finished = false

	try {
		log('starting systems')
		await Promise.all([syncWorkerDev.start(), limitDev.start(), baseline.start(), baselineSqlite.start()])
		const ctx: BenchContext = {
			syncWorker: wranglerSystem('sync-worker', syncWorkerDev),
			baseline: baselineSystem('baseline', baseline),
			baselineSqlite: baselineSystem('baseline-sqlite', baselineSqlite),
			limit: wranglerSystem('limit', limitDev),
			limitDurable: wranglerSystem('limit-durable', limitDev),
			syncWorkerPersistDir,
			quick,
			roomId: (name) => `${runId}-${name}`,
			log,
		}

		const checks = await runProtocolChecks(ctx)
		const failed = checks.filter((c) => c.error)
		if (failed.length > 0) throw new Error(`protocol check failed: ${failed.map((c) => `${c.system}: ${c.error}`).join('; ')}`)
		log('protocol check passed')
		const fanout = runs('fanout') || runs('durability') ? await runFanout(ctx) : undefined
		const throughput = runs('throughput') ? await runThroughput(ctx) : undefined
		const durability = runs('durability') && fanout ? await runDurability(ctx, fanout) : undefined
		const join_ = runs('join') ? await runJoinTime(ctx) : undefined
		const memory = runs('memory') ? await runMemory(ctx) : undefined
		const r2 = runs('r2') ? await runR2Export(ctx) : undefined
		const profile = runs('profile') ? await runProfile(ctx, ctx.syncWorker, syncWorkerDev) : undefined
		const profileLimitDurable = runs('profile') ? await runProfile(ctx, ctx.limitDurable, limitDev) : undefined
		const syncCoreOnNode = runs('profile') ? await runSyncCoreOnNode() : undefined
		await stopAll()

		const loadAverageAtEnd = loadavg()[0] ?? 0
		const ratios = mergeRatios(fanout?.ratios ?? {}, throughput?.ratios ?? {}, durability?.ratios ?? {}, join_?.ratios ?? {})
		const summary = computeSummary({ fanout, throughput, r2 })
		const prev = previous?.ratios ?? null
		const durationS = (performance.now() - started) / 1000
		const results = {
			command: COMMAND,
			startedAt,
			durationS,
			quick,
			machine,
			loadAverageAtEnd,
			syncWorkerVarOverrides: SYNC_WORKER_VAR_OVERRIDES,
			only: onlyArg ?? null,
			summary,
			ratios,
			scenarios: { protocolCheck: checks, fanout, throughput, durability, joinTime: join_, memory, r2Export: r2, profile, profileLimitDurable, syncCoreOnNode },
		}
		const report = renderReport(
			{ command: COMMAND, startedAt, durationS, quick, machine, loadAverageAtEnd, previousStartedAt: previous?.startedAt ?? null, syncWorkerVars: SYNC_WORKER_VAR_OVERRIDES },
			[
				renderSummary(summary, previous?.summary ?? null, r2),
				renderProtocolChecks(checks),
				fanout && renderFanout(fanout, prev),
				throughput && renderThroughput(throughput, prev),
				join_ && renderJoinTime(join_, prev),
				durability && renderDurability(durability, prev),
				memory && renderMemory(memory),
				r2 && renderR2Export(r2),
				profile && renderProfile(profile, profileLimitDurable),
				syncCoreOnNode && renderSyncCoreOnNode(syncCoreOnNode),
			].filter((s): s is string => typeof s === 'string'),
			collectNotes({ machine, ratios, previousRatios: prev, loadAverageAtEnd, fanout, throughput, durability, memory, r2 }),
		)
		mkdirSync(outDir, { recursive: true })
		writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, '\t') + '\n')
		writeFileSync(join(outDir, 'REPORT.md'), report)
		log(`wrote ${join(outDir, 'REPORT.md')} and results.json in ${(durationS / 60).toFixed(1)} min`)
		finished = true
	} finally {
		await stopAll()
		// A failed run keeps its server logs for diagnosis.
		if (finished) rmSync(workDir, { recursive: true, force: true })
		else console.error(`[bench] failed; server logs kept in ${workDir}`)
	}
}

const deadline = setTimeout(() => {
	console.error(`[bench] still running after ${DEADLINE_MS / 60_000} min: giving up`)
	killAllGroupsNow()
	process.exit(1)
}, DEADLINE_MS)
deadline.unref()
process.on('exit', killAllGroupsNow)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		killAllGroupsNow()
		process.exit(130)
	})
}

main().then(
	() => process.exit(0),
	(err: unknown) => {
		console.error(err)
		process.exit(1)
	},
)
