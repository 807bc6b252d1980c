/** What a room tells the stats object, at most once per STATS_REPORT_MS (never per push). */
export interface RoomReport {
	roomKey: string
	sessions: number
	/** Size of the last exported version (the document as stored in R2). */
	bytes: number
	clock: number
	lastExportedAt: number | null
	lastActivityAt: number
	/** How long the newest change has waited for its export to R2 (0 when R2 is up to date). */
	exportLagMs: number
	/** Changes committed since the previous report (pushes and API writes). */
	pushes: number
	/** Failed R2 exports since the previous report. */
	exportFailures: number
	/** Webhook events still in the room's outbox. */
	webhookBacklog: number
}

export type RoomState = Omit<RoomReport, 'pushes' | 'exportFailures'>

/**
 * Batches a room's reports: changes only bump counters; a timer sends one report per interval with the
 * counts since the last one. A failed send keeps the counts for the next report.
 */
export class RoomStatsReporter {
	private pushes = 0
	private exportFailures = 0
	private lastActivityAt = Date.now()
	private timer: ReturnType<typeof setTimeout> | null = null
	private stopped = false

	constructor(
		private readonly deps: {
			intervalMs: number
			state: () => Omit<RoomState, 'lastActivityAt'> | null
			send: (report: RoomReport) => Promise<void>
		},
	) {}

	noteChange() {
		this.pushes++
		this.lastActivityAt = Date.now()
		this.schedule()
	}

	noteActivity() {
		this.lastActivityAt = Date.now()
		this.schedule()
	}

	noteExportFailure() {
		this.exportFailures++
		this.schedule()
	}

	stop() {
		this.stopped = true
		if (this.timer) clearTimeout(this.timer)
		this.timer = null
	}

	private schedule() {
		if (this.timer || this.stopped) return
		this.timer = setTimeout(() => {
			this.timer = null
			void this.flush()
		}, this.deps.intervalMs)
	}

	private async flush() {
		const state = this.deps.state()
		if (!state || this.stopped) return
		const report: RoomReport = { ...state, lastActivityAt: this.lastActivityAt, pushes: this.pushes, exportFailures: this.exportFailures }
		this.pushes = 0
		this.exportFailures = 0
		try {
			await this.deps.send(report)
		} catch (err) {
			this.pushes += report.pushes
			this.exportFailures += report.exportFailures
			console.warn('room stats report failed, will retry:', err instanceof Error ? err.message : err)
			this.schedule()
		}
	}
}
