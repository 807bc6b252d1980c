import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { renderMetrics } from '../../src/stats/renderMetrics'
import { RoomStatsReporter, type RoomReport } from '../../src/stats/RoomReport'
import type { RoomRow } from '../../src/stats/StatsStore'

const room = (over: Partial<RoomRow>): RoomRow => ({
	roomKey: 'room:a',
	sessions: 1,
	bytes: 10,
	clock: 5,
	lastExportedAt: null,
	lastActivityAt: 0,
	exportLagMs: 0,
	webhookBacklog: 0,
	reportedAt: 0,
	...over,
})
const counters = { pushes: 12, exportFailures: 1, webhookDelivered: 7, webhookRetries: 3, webhookDeadLetters: 2 }

describe('renderMetrics', () => {
	it.each([
		['sync_worker_active_rooms', 2],
		['sync_worker_sessions', 5],
		['sync_worker_pushes_total', 12],
		['sync_worker_export_failures_total', 1],
		['sync_worker_export_lag_seconds', 2.5],
		['sync_worker_replication_lag_bytes', 4096],
		['sync_worker_webhook_backlog', 9],
		['sync_worker_webhook_delivered_total', 7],
		['sync_worker_webhook_retries_total', 3],
		['sync_worker_webhook_dead_letters_total', 2],
	])('%s = %d', (name, value) => {
		const text = renderMetrics({ activeRooms: [room({ sessions: 2, exportLagMs: 2500 }), room({ roomKey: 'file:b', sessions: 3, exportLagMs: 100 })], counters, webhookBacklog: 9, replicationLagBytes: 4096, nowMs: 0 })
		expect(text).toContain(`\n${name} ${value}\n`)
		expect(text).toMatch(new RegExp(`# TYPE ${name} (gauge|counter)`))
	})
	it('leaves replication lag without a sample when there is no Postgres', () => {
		const text = renderMetrics({ activeRooms: [], counters, webhookBacklog: 0, replicationLagBytes: null, nowMs: 0 })
		expect(text).toContain('# TYPE sync_worker_replication_lag_bytes gauge\n# HELP sync_worker_webhook_backlog')
		expect(text.endsWith('\n')).toBe(true)
	})
})

describe('RoomStatsReporter (batched, never per push)', () => {
	beforeEach(() => vi.useFakeTimers())
	afterEach(() => vi.useRealTimers())
	const state = { roomKey: 'room:a', sessions: 2, bytes: 0, clock: 9, lastExportedAt: null, exportLagMs: 0, webhookBacklog: 0 }

	it('sends one report per interval with the pushes counted since the last one', async () => {
		const sent: RoomReport[] = []
		const r = new RoomStatsReporter({ intervalMs: 1000, state: () => state, send: async (x) => void sent.push(x) })
		for (let i = 0; i < 100; i++) r.noteChange()
		expect(sent).toHaveLength(0)
		await vi.advanceTimersByTimeAsync(1000)
		expect(sent).toHaveLength(1)
		expect(sent[0]).toMatchObject({ pushes: 100, sessions: 2, clock: 9 })
		r.noteChange()
		r.noteExportFailure()
		await vi.advanceTimersByTimeAsync(1000)
		expect(sent.map((s) => [s.pushes, s.exportFailures])).toEqual([
			[100, 0],
			[1, 1],
		])
		await vi.advanceTimersByTimeAsync(5000)
		expect(sent).toHaveLength(2) // idle: nothing sent
	})

	it('keeps the counts of a failed report for the next one', async () => {
		const sent: RoomReport[] = []
		let fail = true
		const r = new RoomStatsReporter({
			intervalMs: 1000,
			state: () => state,
			send: async (x) => {
				if (fail) throw new Error('stats object unreachable')
				sent.push(x)
			},
		})
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
		for (let i = 0; i < 3; i++) r.noteChange()
		await vi.advanceTimersByTimeAsync(1000)
		fail = false
		r.noteChange()
		await vi.advanceTimersByTimeAsync(1000)
		expect(sent.map((s) => s.pushes)).toEqual([4])
		warn.mockRestore()
	})
})
