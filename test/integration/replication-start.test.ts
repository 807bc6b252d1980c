/**
 * The first user socket of a fresh deployment starts the replication stream, and its `init` waits for the
 * stream's slot: every row change committed after the init reaches the socket as `changes`. (Before, a
 * second caller of ensureRunning returned while the first was still creating the slot, so the init came
 * first; a change made then was missed by the slot and the socket was told to resync instead.)
 * Creating a logical slot waits for running transactions, so a transaction held open here keeps the slot
 * creation pending for as long as the test needs.
 */
import pg from 'pg'
import { expect, it } from 'vitest'
import { requireDatabaseUrl } from '../helpers/auth'
import { useSignedInWorker } from '../helpers/signedInWorker'
import { UserSocketClient } from '../helpers/userSocket'
import { waitFor } from '../helpers/waitFor'

const w = useSignedInWorker()

it('a user socket gets its init only once the stream can see every later change', async () => {
	const alice = await w.user('alice')
	const blocker = new pg.Client({ connectionString: requireDatabaseUrl() })
	await blocker.connect()
	try {
		await blocker.query('BEGIN')
		const xid = (await blocker.query<{ xid: string }>('SELECT txid_current()::text AS xid')).rows[0]!.xid
		// This socket is the first caller: it starts the stream, whose slot creation now waits for `blocker`.
		const opening = UserSocketClient.open(w.url(), alice.userId, alice.token)
		await waitFor(
			async () =>
				(
					await w.sql(
						`SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
						  WHERE NOT l.granted AND l.locktype = 'transactionid' AND l.transactionid::text = $1
						    AND a.query ILIKE '%pg_create_logical_replication_slot%'`,
						[xid],
					)
				).rows.length > 0,
			'the slot creation to wait for the open transaction',
		)
		await blocker.query('COMMIT')
		const socket = await opening
		await socket.waitFor((m) => m.type === 'init', 'init')
		await w.sql(`INSERT INTO "file" (id, "ownerId", name) VALUES ($1, $2, 'After init')`, [`f_${alice.userId}`, alice.userId])
		const changes = await socket.waitFor((m) => m.type === 'changes' && JSON.stringify(m.changes).includes('After init'), 'the file inserted after init')
		// Nothing between the init and the change told the socket it had missed something.
		expect(socket.messages.slice(0, socket.messages.indexOf(changes)).map((m) => m.type)).toEqual(['init'])
		socket.close()
	} finally {
		await blocker.end().catch(() => {})
	}
})
