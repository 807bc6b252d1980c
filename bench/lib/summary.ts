/**
 * The named figures of issue 13 (`summary` in results.json) and the storage-for-a-year table, computed from
 * one run's scenarios, with the previous results.json beside them.
 */
import { CHECKPOINT_EVERY_VERSIONS } from '../../src/room/chainLimits.ts'
import type { FanoutResult } from '../scenarios/fanout.ts'
import type { R2Result } from '../scenarios/r2Export.ts'
import type { ThroughputResult } from '../scenarios/throughput.ts'
import type { SystemName } from '../systems/BenchSystem.ts'
import { bytes, table } from './markdown.ts'
import { ratio } from './stats.ts'

export type Summary = Record<string, number | null>

const OTHERS = { LimitDurable: 'limit-durable', Limit: 'limit', Baseline: 'baseline' } as const satisfies Record<string, SystemName>

export function computeSummary(parts: { fanout?: FanoutResult; throughput?: ThroughputResult; r2?: R2Result }): Summary {
	const summary: Summary = {}
	const p50 = (system: SystemName, clients: number) => parts.fanout?.runs.find((r) => r.system === system && r.clients === clients)?.latency?.p50
	const max = (system: SystemName) => parts.throughput?.runs.find((r) => r.system === system)?.maxSustainedRate
	const r10k = parts.r2?.rooms.find((r) => r.shapes === 10_000)
	if (parts.r2) {
		summary.r2BytesPerActiveMinute10k = r10k?.amortizedBytesPerActiveMinute ?? null
		summary.r2BytesPerActiveMinute10kMeasured = r10k?.bytesPerActiveMinute ?? null
		summary.exportAckP99Ratio10k = ratio(r10k?.ack?.p99, r10k?.ackClearOfExports?.p99)
	}
	for (const [suffix, other] of Object.entries(OTHERS)) {
		if (parts.throughput) summary[`throughputVs${suffix}`] = ratio(max('sync-worker'), max(other))
		if (parts.fanout) {
			summary[`fanoutP50Vs${suffix}10`] = ratio(p50('sync-worker', 10), p50(other, 10))
			summary[`fanoutP50Vs${suffix}50`] = ratio(p50('sync-worker', 50), p50(other, 50))
		}
	}
	return summary
}

/** What the run before history chains measured, from its results.json (it had no `summary`). */
export function summaryOfOlderResults(previous: { summary?: Summary; ratios?: Record<string, number | null>; scenarios?: { r2Export?: R2Result } } | null): Summary | null {
	if (!previous) return null
	if (previous.summary) return previous.summary
	const r2 = previous.scenarios?.r2Export
	const r10k = r2?.rooms.find((r) => r.shapes === 10_000)
	const ratios = previous.ratios ?? {}
	return {
		// Before chains every export wrote the whole snapshot (plus the same again as the `latest` pointer, not counted here).
		r2BytesPerActiveMinute10k: r10k?.bytesPerExport && r2 ? (r10k.bytesPerExport.p50 * r10k.exports) / (r2.activeMs / 60_000) : null,
		exportAckP99Ratio10k: null,
		throughputVsLimit: ratios['throughput.maxRate.sync-worker/limit'] ?? null,
		throughputVsBaseline: ratios['throughput.maxRate.sync-worker/baseline'] ?? null,
		fanoutP50VsLimit10: ratios['fanout.n10.p50.sync-worker/limit'] ?? null,
		fanoutP50VsLimit50: ratios['fanout.n50.p50.sync-worker/limit'] ?? null,
		fanoutP50VsBaseline10: ratios['fanout.n10.p50.sync-worker/baseline'] ?? null,
		fanoutP50VsBaseline50: ratios['fanout.n50.p50.sync-worker/baseline'] ?? null,
	}
}

/** Exports in an hour of editing at one change per second (one per PERSIST_INTERVAL_MS). */
function exportsPerActiveHour(persistIntervalMs: number) {
	return Math.floor(3_600_000 / persistIntervalMs)
}

/**
 * R2 history of one room edited for an hour a day for a year, under the retention policy (README): the last
 * day's versions all kept, one a day before that (an hour of editing falls in one hourly bucket), plus the
 * `latest` object. Before chains every version and `latest` was a whole snapshot; with chains the day's
 * versions are change sets with a checkpoint every CHECKPOINT_EVERY_VERSIONS, and retention re-links each
 * kept daily version as the changes since the previous kept one (here: a day of this run's edits).
 */
export function storageForAYear(r2: R2Result): Array<{ what: string; before: number; after: number }> | null {
	const r10k = r2.rooms.find((r) => r.shapes === 10_000)
	if (!r10k?.checkpointBytes || !r10k.bytesPerExport) return null
	const checkpoint = r10k.checkpointBytes
	const change = r10k.changeSetBytes?.p50 ?? r10k.bytesPerExport.p50
	const today = exportsPerActiveHour(r2.persistIntervalMs)
	const older = 364
	const chains = (n: number) => Math.ceil(n / (CHECKPOINT_EVERY_VERSIONS + 1))
	return [
		{ what: `the last day (${today} versions)`, before: today * checkpoint, after: chains(today) * checkpoint + (today - chains(today)) * change },
		{ what: `older days (${older} kept versions, one a day)`, before: older * checkpoint, after: chains(older) * checkpoint + (older - chains(older)) * change },
		{ what: '`latest` (ROOMS)', before: checkpoint, after: r10k.manifestBytes },
	]
}

export function renderSummary(summary: Summary, previous: Summary | null, r2: R2Result | undefined): string {
	const fmt = (key: string, v: number | null | undefined) => (v == null ? '—' : key.startsWith('r2Bytes') ? `${bytes(v)}/min` : `${v.toFixed(2)}×`)
	const year = r2 ? storageForAYear(r2) : null
	return [
		'## Summary (issue 13 goals)',
		'',
		'`summary` in results.json. r2BytesPerActiveMinute10k is the amortized long-run rate (scenario 6; the measured minute is beside it); exportAckP99Ratio10k = push-ack p99 of the 10k-shape room over the minute with exports / p99 of the pushes sent clear of any export. Throughput and fan-out ratios are sync-worker / the other system (lower is better for fan-out, higher for throughput).',
		'',
		table(
			['figure', 'this run', 'previous run'],
			Object.keys(summary).map((key) => [`\`${key}\``, fmt(key, summary[key]), fmt(key, previous?.[key])]),
		),
		'',
		...(year
			? [
					'Storage in R2 history for one 10,000-shape room edited for an hour a day (one move per second) for a year, by the retention policy, from this run\'s measured checkpoint and change-set sizes (computed, not run for a year):',
					'',
					table(
						['what', 'whole snapshots (before)', 'chains (now)'],
						[
							...year.map((y) => [y.what, bytes(y.before), bytes(y.after)]),
							['total', bytes(year.reduce((n, y) => n + y.before, 0)), bytes(year.reduce((n, y) => n + y.after, 0))],
						],
					),
					'',
				]
			: []),
	].join('\n')
}
