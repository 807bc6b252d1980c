import { sql, type Kysely } from 'kysely'
import type { Database, FileRow, FileStateRow, UserRow } from '../db/schema'
import { toWireMutationNumber } from './protocol'

export type InitialData = {
	user: UserRow
	/** Live files the user owns, and live shared files of others that the user has a file_state row for. */
	files: FileRow[]
	/** All of the user's file_state rows. */
	fileStates: FileStateRow[]
	mutationNumber: number
	/** Replicated transactions with a commit LSN ≤ this are already contained in the data above. */
	lsn: string
}

/**
 * A consistent picture of one user's data for the socket's `init` message (README "User data socket and replication"): every query reads
 * the same REPEATABLE READ snapshot. The user row must exist (the host upserts it on connect).
 */
export async function loadInitialData(db: Kysely<Database>, userId: string): Promise<InitialData> {
	// Read before the snapshot is taken, not inside the transaction: the first statement of a REPEATABLE READ
	// transaction takes the snapshot and only then evaluates pg_current_wal_lsn(), so a transaction committing
	// in between would get an LSN ≤ lsn while being invisible here, and the host would drop it for good.
	// Read first, the error goes the harmless way: a transaction committing in between is in the snapshot and
	// is also delivered again by replication (clients apply changes as upserts). What remains is a commit whose
	// WAL record is written but not yet visible when the snapshot is taken (microseconds; longer with synchronous
	// standbys); closing that needs the snapshot's xids (pg_current_snapshot()) matched against pgoutput's xid.
	const { rows } = await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(db)
	const lsn = rows[0]!.lsn
	return db
		.transaction()
		.setIsolationLevel('repeatable read')
		.execute(async (tx) => {
			const user = await tx.selectFrom('user').selectAll().where('id', '=', userId).executeTakeFirst()
			if (!user) throw new Error(`loadInitialData: no user row for ${userId}; upsert it first`)
			const files = await tx
				.selectFrom('file')
				.selectAll()
				.where('isDeleted', '=', false)
				.where((eb) =>
					eb.or([
						eb('ownerId', '=', userId),
						eb.and([
							eb('shared', '=', true),
							eb.exists(
								eb
									.selectFrom('file_state')
									.select('file_state.fileId')
									.whereRef('file_state.fileId', '=', 'file.id')
									.where('file_state.userId', '=', userId),
							),
						]),
					]),
				)
				.orderBy('createdAt', 'desc')
				.orderBy('id')
				.execute()
			const fileStates = await tx.selectFrom('file_state').selectAll().where('userId', '=', userId).orderBy('fileId').execute()
			const counter = await tx.selectFrom('user_mutation_number').select('mutationNumber').where('userId', '=', userId).executeTakeFirst()
			return { user, files, fileStates, mutationNumber: toWireMutationNumber(counter?.mutationNumber ?? 0), lsn }
		})
}
