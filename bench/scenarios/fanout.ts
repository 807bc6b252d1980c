/**
 * Scenario 1 — fan-out latency: one writer moves a shape; a sample is the time until every other client
 * in the room has the move. N clients in one room, one move in flight at a time.
 */
import { closeAll, connectMoveClients } from '../clients/moveClients.ts'
import type { BenchContext } from '../lib/BenchContext.ts'
import { corePercent, withCpu, type CpuSpent } from '../lib/cpu.ts'
import { latencyCells, LATENCY_HEADERS, ms, ratioTable, table, type Ratios } from '../lib/markdown.ts'
import { MoveTracker, type ServerClose } from '../lib/MoveTracker.ts'
import { sleep } from '../lib/processes.ts'
import { ratio, summarize, type Summary } from '../lib/stats.ts'
import type { BenchSystem, SystemName } from '../systems/BenchSystem.ts'

export const FANOUT_CLIENT_COUNTS = [2, 10, 50, 250]
const WARMUP_MOVES = 30
const MOVE_TIMEOUT_MS = 5_000
/**
 * Pause between moves. TLSyncRoom sends a session's first data message at once and batches the next ones
 * for 1/60 s; a pause longer than that keeps every sample an unbatched send.
 */
const GAP_MS = 25

export interface FanoutRun {
	system: SystemName
	clients: number
	/** Writer's send → the last receiver has it. */
	latency: Summary | null
	/** Writer's send → its own push_result (tldraw systems). */
	ack: Summary | null
	lost: number
	/** Sockets the server closed during the run; any makes the run invalid. */
	serverCloses: ServerClose[]
	cpu: CpuSpent
	/** Time to connect and fully sync all clients. */
	connectMs: number
}

/** Connects `clients` to a fresh room and times `moves` moves (after a warm-up). */
export async function measureFanout(system: BenchSystem, roomId: string, clients: number, moves: number): Promise<FanoutRun> {
	const connectStart = performance.now()
	const movers = await connectMoveClients(system, roomId, clients)
	const connectMs = performance.now() - connectStart
	try {
		const tracker = new MoveTracker(movers, MOVE_TIMEOUT_MS)
		for (let i = 0; i < WARMUP_MOVES; i++) {
			await tracker.move()
			await sleep(GAP_MS)
		}
		tracker.ackMs.length = 0
		const { value: samples, cpu } = await withCpu(system.serverPids(), async () => {
			const latencies: Array<number | null> = []
			for (let i = 0; i < moves; i++) {
				latencies.push(await tracker.move())
				await sleep(GAP_MS)
			}
			return latencies
		})
		const delivered = samples.filter((s): s is number => s !== null)
		return {
			system: system.name,
			clients,
			latency: summarize(delivered),
			ack: summarize(tracker.ackMs),
			lost: samples.length - delivered.length,
			serverCloses: tracker.serverCloses,
			cpu,
			connectMs,
		}
	} finally {
		closeAll(movers)
		// Let the server see the closes before the next step starts.
		await sleep(300)
	}
}

export interface FanoutResult {
	runs: FanoutRun[]
	ratios: Ratios
}

export async function runFanout(ctx: BenchContext): Promise<FanoutResult> {
	const runs: FanoutRun[] = []
	for (const clients of FANOUT_CLIENT_COUNTS) {
		const moves = ctx.quick ? 20 : clients >= 250 ? 150 : 300
		for (const system of [ctx.syncWorker, ctx.baseline, ctx.limit, ctx.limitDurable]) {
			ctx.log(`fan-out: ${system.name}, ${clients} clients, ${moves} moves`)
			runs.push(await measureFanout(system, ctx.roomId(`fanout-${system.name}-${clients}`), clients, moves))
		}
	}
	return { runs, ratios: fanoutRatios('fanout', runs) }
}

/** sync-worker/baseline and sync-worker/limit at p50 and p99 for each client count. */
export function fanoutRatios(prefix: string, runs: FanoutRun[]): Ratios {
	const ratios: Ratios = {}
	const find = (system: SystemName, clients: number) => runs.find((r) => r.system === system && r.clients === clients)?.latency
	for (const clients of new Set(runs.map((r) => r.clients))) {
		const sw = find('sync-worker', clients)
		for (const other of ['baseline', 'limit', 'limit-durable'] as const) {
			const o = find(other, clients)
			if (!o) continue
			ratios[`${prefix}.n${clients}.p50.sync-worker/${other}`] = ratio(sw?.p50, o.p50)
			ratios[`${prefix}.n${clients}.p99.sync-worker/${other}`] = ratio(sw?.p99, o.p99)
		}
	}
	return ratios
}

export function fanoutRunsTable(runs: FanoutRun[]): string {
	return table(
		['clients', 'system', ...LATENCY_HEADERS, 'lost', 'ack p50 ms', 'ack p99 ms', 'generator CPU', 'server CPU', 'connect all ms'],
		runs.map((r) => [
			r.clients,
			r.system,
			...latencyCells(r.latency),
			r.lost,
			ms(r.ack?.p50),
			ms(r.ack?.p99),
			`${corePercent(r.cpu.generatorMs, r.cpu.wallMs).toFixed(0)}%`,
			`${corePercent(r.cpu.serverMs, r.cpu.wallMs).toFixed(0)}%`,
			ms(r.connectMs, 0),
		]),
	)
}

export function renderFanout(result: FanoutResult, previous: Ratios | null): string {
	const keys = Object.keys(result.ratios).map((key) => {
		const [, n, p, pair] = key.split('.')
		return { key, label: `${pair} ${p}, ${n!.slice(1)} clients` }
	})
	return [
		'## 1. Fan-out latency',
		'',
		`One writer moves a shape (a tldraw \`push\` patching \`x\`); a sample is the time until every other client in the room has received the patch, measured on the load generator's clock. One move in flight at a time, ${GAP_MS} ms apart, after ${WARMUP_MOVES} warm-up moves. Clients are protocol-level (plain \`ws\`, no TLSyncClient). "ack" is the writer's own \`push_result\`. CPU columns are shares of one core over the measured moves (server = the system's processes: both workerd processes of \`wrangler dev\`, or the Node baseline).`,
		'',
		fanoutRunsTable(result.runs),
		'',
		ratioTable(keys, result.ratios, previous),
	].join('\n')
}
