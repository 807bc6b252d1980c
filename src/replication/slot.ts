import pg from 'pg'
import { isClosedSocketError } from '../db/createDb'

export interface SlotStatus {
	name: string
	exists: boolean
	active: boolean
	walStatus: string | null
	confirmedFlushLsn: string | null
	currentLsn: string
	lagBytes: number | null
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
	let ending = false
	client.on('error', (err) => {
		// See createDb: the socket closing under a pending read after end() is expected.
		if (ending && isClosedSocketError(err)) return
		console.error('replicator: postgres client error:', err.message)
	})
	await client.connect()
	try {
		return await fn(client)
	} finally {
		ending = true
		await client.end().catch(() => {})
	}
}

/**
 * Makes sure the persistent pgoutput slot exists and is usable. A slot Postgres invalidated
 * (wal_status 'lost', e.g. max_slot_wal_keep_size exceeded) is dropped and recreated once, instead of
 * failing in a loop for hours; `created` tells the caller that changes may have been missed.
 */
export async function ensureSlot(url: string, slotName: string): Promise<{ created: boolean }> {
	return withClient(url, async (client) => {
		const { rows } = await client.query<{ wal_status: string | null; active: boolean; active_pid: number | null }>(
			'SELECT wal_status, active, active_pid FROM pg_replication_slots WHERE slot_name = $1',
			[slotName],
		)
		const slot = rows[0]
		if (slot && slot.wal_status !== 'lost') {
			// A previous incarnation of this object may still hold the slot; free it so we can stream.
			if (slot.active && slot.active_pid) await client.query('SELECT pg_terminate_backend($1)', [slot.active_pid])
			return { created: false }
		}
		if (slot) await client.query('SELECT pg_drop_replication_slot($1)', [slotName])
		await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slotName])
		return { created: true }
	})
}

export async function readSlotStatus(url: string, slotName: string): Promise<SlotStatus> {
	return withClient(url, async (client) => {
		const { rows } = await client.query<{ active: boolean; wal_status: string | null; confirmed_flush_lsn: string | null; current_lsn: string; lag: string | null }>(
			`SELECT s.active, s.wal_status, s.confirmed_flush_lsn::text, pg_current_wal_lsn()::text AS current_lsn,
			        pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::text AS lag
			   FROM (SELECT 1) one LEFT JOIN pg_replication_slots s ON s.slot_name = $1`,
			[slotName],
		)
		const r = rows[0]!
		return {
			name: slotName,
			exists: r.active !== null,
			active: r.active ?? false,
			walStatus: r.wal_status,
			confirmedFlushLsn: r.confirmed_flush_lsn,
			currentLsn: r.current_lsn,
			lagBytes: r.lag === null ? null : Number(r.lag),
		}
	})
}
