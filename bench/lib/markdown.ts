/** Markdown helpers shared by every scenario's section of REPORT.md. */
import type { Summary } from './stats.ts'

export type Cell = string | number | null | undefined

export function table(headers: string[], rows: Cell[][]): string {
	const line = (cells: Cell[]) => `| ${cells.map((c) => (c === null || c === undefined || c === '' ? '—' : String(c))).join(' | ')} |`
	return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n')
}

export function ms(v: number | null | undefined, digits = 1): string {
	return v === null || v === undefined ? '—' : v.toFixed(digits)
}

export function times(v: number | null | undefined): string {
	return v === null || v === undefined ? '—' : `${v.toFixed(2)}×`
}

export function bytes(v: number | null | undefined): string {
	if (v === null || v === undefined) return '—'
	if (Math.abs(v) >= 1024 ** 3) return `${(v / 1024 ** 3).toFixed(1)} GiB`
	if (Math.abs(v) >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(2)} MiB`
	if (Math.abs(v) >= 1024) return `${(v / 1024).toFixed(1)} KiB`
	return `${Math.round(v)} B`
}

/** p50 / p95 / p99 / max / n cells of a latency summary, in ms. */
export function latencyCells(s: Summary | null | undefined): Cell[] {
	return s ? [ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), s.n] : [null, null, null, null, 0]
}

export const LATENCY_HEADERS = ['p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'n']

/**
 * Ratios are stored flat under stable keys (e.g. `fanout.n10.p50.sync-worker/baseline`) so the report can
 * put the previous run's value beside this run's.
 */
export type Ratios = Record<string, number | null>

export function ratioTable(keys: Array<{ label: string; key: string }>, current: Ratios, previous: Ratios | null): string {
	return table(
		['ratio', 'this run', 'previous run', 'change'],
		keys.map(({ label, key }) => {
			const now = current[key] ?? null
			const before = previous?.[key] ?? null
			const change = now !== null && before !== null && before !== 0 ? `${(((now - before) / before) * 100).toFixed(0)}%` : null
			return [label, times(now), times(before), change]
		}),
	)
}
