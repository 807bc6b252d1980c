import type { Counter, RoomRow } from './StatsStore'

export interface MetricsInput {
	activeRooms: readonly RoomRow[]
	counters: Record<Counter, number>
	/** Events waiting in the webhook queue (as last seen by its consumer) plus those still in room outboxes. */
	webhookBacklog: number
	replicationLagBytes: number | null
	nowMs: number
}

/** Prometheus text exposition (version 0.0.4). Pure: table-tested. */
export function renderMetrics(m: MetricsInput): string {
	const lines: string[] = []
	const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number | null) => {
		lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
		if (value !== null) lines.push(`${name} ${Number.isFinite(value) ? value : 0}`)
	}
	const maxLagMs = m.activeRooms.reduce((max, r) => Math.max(max, r.exportLagMs), 0)
	metric('sync_worker_active_rooms', 'gauge', 'Rooms with a session or activity in the active window.', m.activeRooms.length)
	metric('sync_worker_sessions', 'gauge', 'Sessions connected to active rooms.', m.activeRooms.reduce((n, r) => n + r.sessions, 0))
	metric('sync_worker_pushes_total', 'counter', 'Document changes committed by rooms (pushes and API writes).', m.counters.pushes)
	metric('sync_worker_export_failures_total', 'counter', 'Failed exports of a room to R2.', m.counters.exportFailures)
	metric('sync_worker_export_lag_seconds', 'gauge', 'Longest time a room change has waited for its R2 export.', maxLagMs / 1000)
	metric('sync_worker_replication_lag_bytes', 'gauge', 'WAL bytes not yet confirmed by the replication slot.', m.replicationLagBytes)
	metric('sync_worker_webhook_backlog', 'gauge', 'Webhook events not yet delivered (queue backlog and room outboxes).', m.webhookBacklog)
	metric('sync_worker_webhook_delivered_total', 'counter', 'Webhook deliveries answered with a 2xx.', m.counters.webhookDelivered)
	metric('sync_worker_webhook_retries_total', 'counter', 'Webhook delivery attempts that will be retried.', m.counters.webhookRetries)
	metric('sync_worker_webhook_dead_letters_total', 'counter', 'Webhook events moved to the dead-letter queue.', m.counters.webhookDeadLetters)
	return lines.join('\n') + '\n'
}
