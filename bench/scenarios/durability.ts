/**
 * Scenario 4 — cost of durability: the same Node TLSocketRoom server with its rooms in memory
 * (InMemorySyncStorage) and on SQLite (SQLiteSyncStorage + NodeSqliteWrapper over node:sqlite),
 * fan-out and push acknowledgement measured as in scenario 1.
 */
import type { BenchContext } from '../lib/BenchContext.ts'
import { ratioTable, type Ratios } from '../lib/markdown.ts'
import { ratio } from '../lib/stats.ts'
import { fanoutRunsTable, measureFanout, type FanoutResult, type FanoutRun } from './fanout.ts'

const CLIENTS = [10, 50]

export interface DurabilityResult {
	runs: FanoutRun[]
	ratios: Ratios
}

export async function runDurability(ctx: BenchContext, fanout: FanoutResult): Promise<DurabilityResult> {
	const runs: FanoutRun[] = []
	for (const clients of CLIENTS) {
		for (const system of [ctx.baseline, ctx.baselineSqlite]) {
			ctx.log(`durability: ${system.name}, ${clients} clients`)
			runs.push(await measureFanout(system, ctx.roomId(`durability-${system.name}-${clients}`), clients, ctx.quick ? 20 : 300))
		}
	}
	const ratios: Ratios = {}
	for (const clients of CLIENTS) {
		const mem = runs.find((r) => r.system === 'baseline' && r.clients === clients)
		const sql = runs.find((r) => r.system === 'baseline-sqlite' && r.clients === clients)
		const sw = fanout.runs.find((r) => r.system === 'sync-worker' && r.clients === clients)
		ratios[`durability.n${clients}.fanout-p50.baseline-sqlite/baseline`] = ratio(sql?.latency?.p50, mem?.latency?.p50)
		ratios[`durability.n${clients}.ack-p50.baseline-sqlite/baseline`] = ratio(sql?.ack?.p50, mem?.ack?.p50)
		ratios[`durability.n${clients}.fanout-p50.sync-worker/baseline-sqlite`] = ratio(sw?.latency?.p50, sql?.latency?.p50)
	}
	return { runs, ratios }
}

export function renderDurability(result: DurabilityResult, previous: Ratios | null): string {
	return [
		'## 4. Cost of durability',
		'',
		'Same Node server (bench/baseline-server.ts), two storage back ends: `baseline` = InMemorySyncStorage, `baseline-sqlite` = SQLiteSyncStorage on node:sqlite (`DatabaseSync`, one file per room, WAL journal, default `synchronous`), measured like scenario 1. sync-worker always stores rooms in Durable Object SQLite, so its in-memory variant cannot be measured without changing src/; the last ratio compares it with the SQLite baseline (its figures are from scenario 1 of this run). Durable Object SQLite under `wrangler dev` is a local file, without the replication a deployed object waits for.',
		'',
		fanoutRunsTable(result.runs),
		'',
		ratioTable(
			Object.keys(result.ratios).map((key) => {
				const [, n, what, pair] = key.split('.')
				return { key, label: `${pair} ${what}, ${n!.slice(1)} clients` }
			}),
			result.ratios,
			previous,
		),
	].join('\n')
}
