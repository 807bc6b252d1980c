import { sql } from 'kysely'
import type { Db } from './createDb'
import { rethrowAccountDeleted } from './userTombstones'
import type { FileRow, FileStateRow, SharedLinkType, UserRow } from './schema'

export type UpsertUserInput = { id: string; name?: string; email?: string }

export type CreateFileInput = {
	id: string
	ownerId: string
	name?: string
	createSource?: string | null
	shared?: boolean
	sharedLinkType?: SharedLinkType
}

/** Fields a file's owner may change; `undefined` leaves a field as it is. */
export type FilePatch = {
	name?: string
	shared?: boolean
	sharedLinkType?: SharedLinkType
	published?: boolean
	publishedSlug?: string | null
	lastPublished?: Date | null
	thumbnail?: string
}

/** A file in someone's list, with that user's own state for it (null when they never opened it). */
export type FileListEntry = { file: FileRow; state: FileStateRow | null; isOwner: boolean }

/**
 * The Postgres operations the HTTP API and the user socket need, bound to one connection.
 * Users live here too: every file operation needs its owner's row to exist first.
 * In-memory twin for tests: test/fakes/FakeFileRepository.ts (checked against this one by the same contract).
 */
export interface FileRepository {
	upsertUser(input: UpsertUserInput): Promise<UserRow>
	getFile(fileId: string): Promise<FileRow | null>
	createFile(input: CreateFileInput): Promise<FileRow>
	listFilesForUser(userId: string): Promise<FileListEntry[]>
	updateFile(fileId: string, patch: FilePatch): Promise<FileRow | null>
	softDeleteFile(fileId: string): Promise<FileRow | null>
	recordVisit(userId: string, fileId: string, at?: Date): Promise<FileStateRow>
}

export function createFileRepository(db: Db): FileRepository {
	return {
		upsertUser: (input) => upsertUser(db, input),
		getFile: (fileId) => getFile(db, fileId),
		createFile: (input) => createFile(db, input),
		listFilesForUser: (userId) => listFilesForUser(db, userId),
		updateFile: (fileId, patch) => updateFile(db, fileId, patch),
		softDeleteFile: (fileId) => softDeleteFile(db, fileId),
		recordVisit: (userId, fileId, at) => recordVisit(db, userId, fileId, at),
	}
}

/**
 * Creates the user on first authenticated use. Later calls write only when something changed, so
 * routine requests emit no replication traffic: a blank name is filled in (a name the user chose is
 * never overwritten by the token's), and a new email from Clerk replaces the old one. A deleted user's id
 * (DELETE /app/me) is refused with AccountDeletedError, even while their row still exists.
 */
export async function upsertUser(db: Db, input: UpsertUserInput): Promise<UserRow> {
	const changed = await db
		.insertInto('user')
		.values({ id: input.id, name: input.name ?? '', email: input.email ?? '' })
		.onConflict((oc) =>
			oc
				.column('id')
				.doUpdateSet({
					name: sql<string>`CASE WHEN "user"."name" = '' THEN excluded."name" ELSE "user"."name" END`,
					email: sql<string>`CASE WHEN excluded."email" <> '' THEN excluded."email" ELSE "user"."email" END`,
					updatedAt: sql<Date>`now()`,
				})
				.where(
					sql<boolean>`("user"."name" = '' AND excluded."name" <> '') OR (excluded."email" <> '' AND excluded."email" <> "user"."email")`,
				),
		)
		.returningAll()
		.executeTakeFirst()
		.catch(rethrowAccountDeleted)
	return changed ?? (await db.selectFrom('user').selectAll().where('id', '=', input.id).executeTakeFirstOrThrow())
}

/** The file row, deleted or not (callers decide what a deleted file means); null when there is none. */
export async function getFile(db: Db, fileId: string): Promise<FileRow | null> {
	return (await db.selectFrom('file').selectAll().where('id', '=', fileId).executeTakeFirst()) ?? null
}

/** Inserts the file and its owner's first visit in one transaction, so it is in their recent list at once. */
export async function createFile(db: Db, input: CreateFileInput): Promise<FileRow> {
	return db.transaction().execute(async (tx) => {
		const file = await tx
			.insertInto('file')
			.values({
				id: input.id,
				ownerId: input.ownerId,
				name: input.name ?? '',
				createSource: input.createSource ?? null,
				shared: input.shared ?? false,
				sharedLinkType: input.sharedLinkType ?? 'edit',
			})
			.returningAll()
			.executeTakeFirstOrThrow()
		await tx
			.insertInto('file_state')
			.values({ userId: input.ownerId, fileId: input.id, firstVisitAt: file.createdAt, lastVisitAt: file.createdAt })
			.onConflict((oc) => oc.columns(['userId', 'fileId']).doNothing())
			.execute()
		return file
	})
}

/**
 * The user's files: every file they own, plus shared files of others that they have opened (a
 * file_state row), both without deleted ones. A file its owner stops sharing drops out of others' lists.
 * Newest first.
 */
export async function listFilesForUser(db: Db, userId: string): Promise<FileListEntry[]> {
	const rows = await db
		.selectFrom('file')
		.leftJoin('file_state', (join) => join.onRef('file_state.fileId', '=', 'file.id').on('file_state.userId', '=', userId))
		.selectAll('file')
		.select([
			'file_state.userId as stateUserId',
			'file_state.firstVisitAt as stateFirstVisitAt',
			'file_state.lastVisitAt as stateLastVisitAt',
			'file_state.lastEditAt as stateLastEditAt',
			'file_state.isPinned as stateIsPinned',
		])
		.where('file.isDeleted', '=', false)
		.where((eb) => eb.or([eb('file.ownerId', '=', userId), eb.and([eb('file.shared', '=', true), eb('file_state.userId', 'is not', null)])]))
		.orderBy('file.createdAt', 'desc')
		.orderBy('file.id')
		.execute()
	return rows.map(({ stateUserId, stateFirstVisitAt, stateLastVisitAt, stateLastEditAt, stateIsPinned, ...file }) => ({
		file,
		isOwner: file.ownerId === userId,
		state:
			stateUserId === null
				? null
				: {
						userId: stateUserId,
						fileId: file.id,
						firstVisitAt: stateFirstVisitAt,
						lastVisitAt: stateLastVisitAt,
						lastEditAt: stateLastEditAt,
						isPinned: stateIsPinned ?? false,
					},
	}))
}

/** Applies `patch` to a live file and bumps updatedAt; null when the file is missing or deleted. */
export async function updateFile(db: Db, fileId: string, patch: FilePatch): Promise<FileRow | null> {
	const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as FilePatch
	const row = await db
		.updateTable('file')
		.set({ ...set, updatedAt: sql<Date>`now()` })
		.where('id', '=', fileId)
		.where('isDeleted', '=', false)
		.returningAll()
		.executeTakeFirst()
	return row ?? null
}

/** Marks a live file deleted; null when it is missing or already deleted. The row stays for replication and undo. */
export async function softDeleteFile(db: Db, fileId: string): Promise<FileRow | null> {
	const row = await db
		.updateTable('file')
		.set({ isDeleted: true, updatedAt: sql<Date>`now()` })
		.where('id', '=', fileId)
		.where('isDeleted', '=', false)
		.returningAll()
		.executeTakeFirst()
	return row ?? null
}

/**
 * Records that `userId` opened `fileId` (default: now, by the database clock): the first visit is kept,
 * the last one moves. The user row must exist (upsertUser) and so must the file.
 */
export async function recordVisit(db: Db, userId: string, fileId: string, at?: Date): Promise<FileStateRow> {
	const when = at ?? sql<Date>`now()`
	return db
		.insertInto('file_state')
		.values({ userId, fileId, firstVisitAt: when, lastVisitAt: when })
		.onConflict((oc) =>
			oc.columns(['userId', 'fileId']).doUpdateSet({
				lastVisitAt: (eb) => eb.ref('excluded.lastVisitAt'),
				firstVisitAt: sql<Date>`COALESCE("file_state"."firstVisitAt", excluded."firstVisitAt")`,
			}),
		)
		.returningAll()
		.executeTakeFirstOrThrow()
}
