/**
 * Scenario 2 — sustained throughput: one writer in a room of 10 clients pushes moves at a fixed rate,
 * ramped step by step; the room sustains a rate while p99 fan-out stays ≤ 250 ms and no move is lost.
 */
import { closeAll, connectMoveClients } from '../clients/moveClients.ts'
import type { BenchContext } from '../lib/BenchContext.ts'
import { corePercent, withCpu, type CpuSpent } from '../lib/cpu.ts'
import { latencyCells, LATENCY_HEADERS, ratioTable, table, type Ratios } from '../lib/markdown.ts'
import { MoveTracker } from '../lib/MoveTracker.ts'
import { sleep } from '../lib/processes.ts'
import { ratio, summarize, type Summary } from '../lib/stats.ts'
import type { BenchSystem, SystemName } from '../systems/BenchSystem.ts'

const CLIENTS = 10
const RATES_PER_SEC = [25, 50, 100, 200, 400, 800, 1600, 3200, 6400]
const P99_LIMIT_MS = 250
/** A move not everywhere after this long counts as lost. */
const MOVE_TIMEOUT_MS = 3_000
const TICK_MS = 2

export interface ThroughputStep {
	targetRate: number
	/** Moves actually sent per second (the pacing loop can fall behind). */
	sentRate: number
	latency: Summary | null
	lost: number
	cpu: CpuSpent
	passed: boolean
	/** Set when the server closed a socket during the step (e.g. a rate limit), which ends the ramp. */
	serverClose: string | null
}

export interface ThroughputRun {
	system: SystemName
	steps: ThroughputStep[]
	/** Highest rate whose step passed before the first failing step; null if none passed. */
	maxSustainedRate: number | null
	/**
	 * Why the ramp stopped. `generator`: the generator could not send the next rate (under 90% of it), so
	 * maxSustainedRate is a lower bound for the server; `ramp-end`: every rate passed (also a lower bound).
	 */
	endedBy: 'server' | 'generator' | 'ramp-end'
}

/** The load generator itself fell short of the target rate. */
function generatorBound(step: ThroughputStep): boolean {
	return step.sentRate < 0.9 * step.targetRate
}

async function paceMoves(tracker: MoveTracker, ratePerSec: number, durationMs: number): Promise<{ samples: Array<number | null>; sentRate: number }> {
	const pending: Array<Promise<number | null>> = []
	const start = performance.now()
	for (let now = start; now - start < durationMs; now = performance.now()) {
		const due = Math.floor(((now - start) / 1000) * ratePerSec)
		while (pending.length < due) pending.push(tracker.move())
		await sleep(TICK_MS)
	}
	const sentRate = (pending.length * 1000) / (performance.now() - start)
	return { samples: await Promise.all(pending), sentRate }
}

async function runStep(system: BenchSystem, tracker: MoveTracker, rate: number, stepMs: number, log: (m: string) => void): Promise<ThroughputStep> {
	const { value, cpu } = await withCpu(system.serverPids(), () => paceMoves(tracker, rate, stepMs))
	const delivered = value.samples.filter((s): s is number => s !== null)
	const latency = summarize(delivered)
	const lost = value.samples.length - delivered.length
	const close = tracker.serverCloses[0]
	const serverClose = close ? `server closed client ${close.client}: ${close.code} ${close.reason}` : null
	const passed = lost === 0 && serverClose === null && latency !== null && latency.p99 <= P99_LIMIT_MS
	log(`throughput: ${system.name} ${rate}/s → p99 ${latency?.p99.toFixed(1)} ms, lost ${lost}${serverClose ? `, ${serverClose}` : ''}`)
	return { targetRate: rate, sentRate: value.sentRate, latency, lost, cpu, passed, serverClose }
}

async function rampSystem(system: BenchSystem, roomId: string, stepMs: number, log: (m: string) => void): Promise<ThroughputRun> {
	const movers = await connectMoveClients(system, roomId, CLIENTS)
	const steps: ThroughputStep[] = []
	try {
		const tracker = new MoveTracker(movers, MOVE_TIMEOUT_MS)
		for (let i = 0; i < 10; i++) await tracker.move()
		for (const rate of RATES_PER_SEC) {
			let step = await runStep(system, tracker, rate, stepMs, log)
			// Other work on a shared 2-core machine can spoil one step; a rate fails only if it fails twice.
			if (!step.passed && !step.serverClose) {
				steps.push(step)
				await sleep(1_000)
				step = await runStep(system, tracker, rate, stepMs, log)
			}
			steps.push(step)
			if (!step.passed) break
			await sleep(500)
		}
	} finally {
		closeAll(movers)
		await sleep(300)
	}
	const last = steps.at(-1)
	const failed = last && !last.passed ? last : undefined
	const passing = steps.filter((s) => s.passed)
	return {
		system: system.name,
		steps,
		maxSustainedRate: passing.at(-1)?.targetRate ?? null,
		endedBy: !failed ? 'ramp-end' : generatorBound(failed) ? 'generator' : 'server',
	}
}

export interface ThroughputResult {
	stepMs: number
	runs: ThroughputRun[]
	ratios: Ratios
}

export async function runThroughput(ctx: BenchContext): Promise<ThroughputResult> {
	const stepMs = ctx.quick ? 1_000 : 3_000
	const runs: ThroughputRun[] = []
	for (const system of [ctx.syncWorker, ctx.baseline, ctx.limit, ctx.limitDurable]) {
		runs.push(await rampSystem(system, ctx.roomId(`throughput-${system.name}`), stepMs, ctx.log))
	}
	const max = (name: SystemName) => runs.find((r) => r.system === name)?.maxSustainedRate
	return {
		stepMs,
		runs,
		ratios: {
			'throughput.maxRate.sync-worker/baseline': ratio(max('sync-worker'), max('baseline')),
			'throughput.maxRate.sync-worker/limit': ratio(max('sync-worker'), max('limit')),
			'throughput.maxRate.sync-worker/limit-durable': ratio(max('sync-worker'), max('limit-durable')),
		},
	}
}

/** When a ramp ended short of the server's limit, its rate is a lower bound and so is (or bounds) the ratio. */
function boundNote(runs: ThroughputRun[], other: SystemName): string {
	const sw = runs.find((r) => r.system === 'sync-worker')
	const o = runs.find((r) => r.system === other)
	if (o && o.endedBy !== 'server' && sw?.endedBy === 'server') return ` (an upper bound: ${other}'s rate is a lower bound)`
	if (sw && sw.endedBy !== 'server' && o?.endedBy === 'server') return ' (a lower bound: sync-worker\'s rate is a lower bound)'
	if (sw && o && sw.endedBy !== 'server' && o.endedBy !== 'server') return ' (both rates are lower bounds)'
	return ''
}

export function renderThroughput(result: ThroughputResult, previous: Ratios | null): string {
	const describeMax = (r: ThroughputRun) => {
		if (r.maxSustainedRate === null) return 'none passed'
		if (r.endedBy === 'ramp-end') return `≥ ${r.maxSustainedRate} (every step passed)`
		if (r.endedBy === 'generator') return `≥ ${r.maxSustainedRate} (the generator could not send the next rate)`
		return String(r.maxSustainedRate)
	}
	return [
		'## 2. Sustained throughput',
		'',
		`${CLIENTS} clients in one room; client 0 pushes moves at a fixed rate for ${result.stepMs / 1000} s per step (rates ${RATES_PER_SEC.join(', ')}/s), without waiting for acknowledgements. A step passes when every move reached all ${CLIENTS - 1} other clients and p99 fan-out ≤ ${P99_LIMIT_MS} ms; a failing rate is run once more, and the ramp stops when a rate fails twice (a move missing after ${MOVE_TIMEOUT_MS / 1000} s is lost). tldraw batches each session's outgoing patches per 1/60 s, so above ~60 moves/s a tldraw receiver gets many moves per message, while the limit relays every move as its own message: at high rates the limit does more per-message work than the tldraw servers and stops being an upper bound.`,
		'',
		table(['system', 'max sustained moves/s'], result.runs.map((r) => [r.system, describeMax(r)])),
		'',
		table(
			['system', 'target /s', 'sent /s', ...LATENCY_HEADERS, 'lost', 'passed', 'generator CPU', 'server CPU'],
			result.runs.flatMap((r) =>
				r.steps.map((s) => [
					r.system,
					s.targetRate,
					s.sentRate.toFixed(0),
					...latencyCells(s.latency),
					s.lost,
					s.passed ? 'yes' : s.serverClose ? `no (${s.serverClose})` : generatorBound(s) ? 'no (generator-bound)' : 'no',
					`${corePercent(s.cpu.generatorMs, s.cpu.wallMs).toFixed(0)}%`,
					`${corePercent(s.cpu.serverMs, s.cpu.wallMs).toFixed(0)}%`,
				]),
			),
		),
		'',
		ratioTable(
			(['baseline', 'limit', 'limit-durable'] as const).map((other) => ({
				label: `max sustained rate, sync-worker/${other}${boundNote(result.runs, other)}`,
				key: `throughput.maxRate.sync-worker/${other}`,
			})),
			result.ratios,
			previous,
		),
	].join('\n')
}
