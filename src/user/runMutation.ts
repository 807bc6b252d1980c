import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import { sql, type Kysely, type Transaction } from 'kysely'
import { getFile, recordVisit, softDeleteFile, updateFile } from '../db/FileRepository'
import { isFileIdRetired } from '../db/fileTombstones'
import type { Database, FileRow } from '../db/schema'
import { decideRoomAccess } from '../files/decideRoomAccess'
import { toWireMutationNumber, type Mutation } from './protocol'

/** The `code` of a `reject` message. */
export const MutationRejectCode = {
	/** The file does not exist or is deleted (also the user row, for updateUser). */
	NOT_FOUND: 'NOT_FOUND',
	/** Not the owner (updateFile, deleteFile), or the file is private (pinFile, recordVisit). */
	FORBIDDEN: 'FORBIDDEN',
	/** createFile with an id that is taken, or that belonged to a removed file (ids are never reused). */
	ALREADY_EXISTS: 'ALREADY_EXISTS',
	/** For the host: over the user's API budget, or too many mutations in flight (MutationBudget). */
	RATE_LIMITED: 'RATE_LIMITED',
	/** For the host: the message failed parseClientMessage. */
	BAD_REQUEST: 'BAD_REQUEST',
	/** For the host: runMutation threw (Postgres unavailable, a bug). */
	INTERNAL: 'INTERNAL',
} as const
export type MutationRejectCode = (typeof MutationRejectCode)[keyof typeof MutationRejectCode]

export type MutationResult = { ok: true; mutationNumber: number } | { ok: false; code: MutationRejectCode; message: string }

/** Thrown inside the transaction so kysely rolls it back; turned into a result outside. */
class Rejection extends Error {
	constructor(
		readonly code: MutationRejectCode,
		message: string,
	) {
		super(message)
	}
}

/**
 * Runs one user-socket mutation (README "User data socket and replication") with the files API's rules, in one transaction that also bumps
 * the user's mutation number. A rejected mutation rolls back entirely: no number is used up, no row changes.
 * Unexpected errors (Postgres down, user row missing) are thrown.
 */
export async function runMutation(db: Kysely<Database>, userId: string, mutation: Mutation): Promise<MutationResult> {
	try {
		const mutationNumber = await db.transaction().execute(async (tx) => {
			// First, so the row lock serialises this user's mutations: numbers commit (and replicate) in order.
			const counter = await tx
				.insertInto('user_mutation_number')
				.values({ userId, mutationNumber: 1 })
				.onConflict((oc) => oc.column('userId').doUpdateSet({ mutationNumber: sql<string>`"user_mutation_number"."mutationNumber" + 1` }))
				.returning('mutationNumber')
				.executeTakeFirstOrThrow()
			await applyMutation(tx, userId, mutation)
			return toWireMutationNumber(counter.mutationNumber)
		})
		return { ok: true, mutationNumber }
	} catch (err) {
		if (err instanceof Rejection) return { ok: false, code: err.code, message: err.message }
		throw err
	}
}

async function applyMutation(tx: Transaction<Database>, userId: string, mutation: Mutation): Promise<void> {
	switch (mutation.name) {
		case 'createFile': {
			const id = mutation.args.id ?? crypto.randomUUID()
			// A removed file's room and history are keyed by its id: whoever took the id would inherit them.
			// (The insert trigger refuses it too; asking first gives the client a clear reject.)
			if (await isFileIdRetired(tx, id)) throw new Rejection(MutationRejectCode.ALREADY_EXISTS, `file id ${id} belonged to a removed file and cannot be used again`)
			const file = await tx
				.insertInto('file')
				.values({ id, ownerId: userId, name: mutation.args.name ?? '' })
				.onConflict((oc) => oc.column('id').doNothing())
				.returningAll()
				.executeTakeFirst()
			if (!file) throw new Rejection(MutationRejectCode.ALREADY_EXISTS, `a file with id ${id} already exists`)
			await tx
				.insertInto('file_state')
				.values({ userId, fileId: id, firstVisitAt: file.createdAt, lastVisitAt: file.createdAt })
				.execute()
			return
		}
		case 'updateFile': {
			const { id, ...patch } = mutation.args
			await requireOwnedFile(tx, userId, id)
			if (!(await updateFile(tx, id, patch))) throw notFound()
			return
		}
		case 'deleteFile':
			await requireOwnedFile(tx, userId, mutation.args.id)
			if (!(await softDeleteFile(tx, mutation.args.id))) throw notFound()
			return
		case 'pinFile': {
			const { fileId, isPinned } = mutation.args
			await requireReadableFile(tx, userId, fileId)
			await tx
				.insertInto('file_state')
				.values({ userId, fileId, isPinned })
				.onConflict((oc) => oc.columns(['userId', 'fileId']).doUpdateSet({ isPinned }))
				.execute()
			return
		}
		case 'recordVisit':
			await requireReadableFile(tx, userId, mutation.args.fileId)
			await recordVisit(tx, userId, mutation.args.fileId)
			return
		case 'updateUser': {
			const { preferences, ...rest } = mutation.args
			const updated = await tx
				.updateTable('user')
				.set({ ...rest, ...(preferences ? { preferences: JSON.stringify(preferences) } : {}), updatedAt: sql<Date>`now()` })
				.where('id', '=', userId)
				.returning('id')
				.executeTakeFirst()
			if (!updated) throw new Rejection(MutationRejectCode.NOT_FOUND, 'user not found')
			return
		}
		default:
			return assertNever(mutation)
	}
}

/** The files API's rule for PATCH and DELETE: a live file, and the caller owns it. */
async function requireOwnedFile(tx: Transaction<Database>, userId: string, fileId: string): Promise<FileRow> {
	const file = await getFile(tx, fileId)
	if (!file || file.isDeleted) throw notFound()
	if (file.ownerId !== userId) throw new Rejection(MutationRejectCode.FORBIDDEN, 'only the owner of this file can change or delete it')
	return file
}

/** Pinning and visiting need what opening the file needs (decideRoomAccess): own it, or it is shared. */
async function requireReadableFile(tx: Transaction<Database>, userId: string, fileId: string): Promise<FileRow> {
	const file = await getFile(tx, fileId)
	const decision = decideRoomAccess(file, { userId })
	if (decision.kind === 'allow' && file) return file
	if (decision.kind === 'deny' && decision.reason === TLSyncErrorCloseEventReason.FORBIDDEN) {
		throw new Rejection(MutationRejectCode.FORBIDDEN, 'this file is private')
	}
	throw notFound()
}

function notFound(): Rejection {
	return new Rejection(MutationRejectCode.NOT_FOUND, 'file not found')
}

function assertNever(value: never): never {
	throw new Error(`unexpected mutation: ${JSON.stringify(value)}`)
}
