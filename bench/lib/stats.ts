/** Latency summaries: nearest-rank percentiles over all samples, in the samples' unit (ms). */
export interface Summary {
	n: number
	p50: number
	p95: number
	p99: number
	max: number
	mean: number
}

export function summarize(samples: readonly number[]): Summary | null {
	if (samples.length === 0) return null
	const sorted = [...samples].sort((a, b) => a - b)
	const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
	return {
		n: sorted.length,
		p50: at(50),
		p95: at(95),
		p99: at(99),
		max: sorted[sorted.length - 1]!,
		mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
	}
}

/** `a / b`, or null when either side is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
	if (a == null || b == null || b === 0) return null
	return a / b
}
