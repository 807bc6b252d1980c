/**
 * The user socket's Postgres side against a real, throwaway Postgres (scripts/pg.sh on a free port, migrated
 * with scripts/migrate.ts; or $DATABASE_URL when set): runMutation's rules and rollbacks, loadInitialData.
 * Every test makes its own ids, so one database serves all of them.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../src/db/createDb'
import { createFile, upsertUser } from '../../src/db/FileRepository'
import { isFileIdRetired, retireFileIds } from '../../src/db/fileTombstones'
import { loadInitialData } from '../../src/user/loadInitialData'
import { compareLsn, parseLsn } from '../../src/user/lsn'
import type { Mutation } from '../../src/user/protocol'
import { MutationRejectCode, runMutation } from '../../src/user/runMutation'
import { startTestDatabase } from '../helpers/postgres'



let database: { url: string; stop: () => Promise<void> } | undefined
let url = ''
let handle: { db: Db; close: () => Promise<void> } | undefined
const db = () => handle!.db

beforeAll(async () => {
	database = await startTestDatabase()
	url = database.url
	handle = createDb(url)
}, 120_000)

afterAll(async () => {
	await handle?.close()
	await database?.stop()
}, 60_000)

const uid = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`

/** Two users and files in every state a mutation can meet. */
async function world() {
	const [owner, guest] = [uid('owner'), uid('guest')]
	await upsertUser(db(), { id: owner, name: 'Owner' })
	await upsertUser(db(), { id: guest, name: 'Guest' })
	const file = async (opts: { shared?: boolean; sharedLinkType?: 'view' | 'edit'; deleted?: boolean } = {}) => {
		const row = await createFile(db(), { id: uid('file'), ownerId: owner, shared: opts.shared, sharedLinkType: opts.sharedLinkType })
		if (opts.deleted) await db().updateTable('file').set({ isDeleted: true }).where('id', '=', row.id).execute()
		return row.id
	}
	return {
		owner,
		guest,
		privateFile: await file(),
		viewLinkFile: await file({ shared: true, sharedLinkType: 'view' }),
		editLinkFile: await file({ shared: true }),
		deletedFile: await file({ deleted: true }),
		missingFile: uid('missing'),
		removedFile: await (async () => {
			const id = await file()
			await db().deleteFrom('file').where('id', '=', id).execute()
			return id
		})(),
	}
}
type World = Awaited<ReturnType<typeof world>>

/** Everything of these users' that a mutation could touch. */
async function traces(userIds: string[]) {
	const users = await db().selectFrom('user').selectAll().where('id', 'in', userIds).orderBy('id').execute()
	const files = await db().selectFrom('file').selectAll().where('ownerId', 'in', userIds).orderBy('id').execute()
	const fileStates = await db().selectFrom('file_state').selectAll().where('userId', 'in', userIds).orderBy(['userId', 'fileId']).execute()
	const counters = await db().selectFrom('user_mutation_number').selectAll().where('userId', 'in', userIds).orderBy('userId').execute()
	return { users, files, fileStates, counters }
}

async function mutationNumberOf(userId: string): Promise<string | undefined> {
	const row = await db().selectFrom('user_mutation_number').select('mutationNumber').where('userId', '=', userId).executeTakeFirst()
	return row?.mutationNumber
}

async function ok(userId: string, mutation: Mutation): Promise<number> {
	const result = await runMutation(db(), userId, mutation)
	if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`)
	return result.mutationNumber
}

const getFileRow = (id: string) => db().selectFrom('file').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const getState = (userId: string, fileId: string) =>
	db().selectFrom('file_state').selectAll().where('userId', '=', userId).where('fileId', '=', fileId).executeTakeFirst()

describe('runMutation', () => {
	it('numbers each user’s mutations 1, 2, 3…', async () => {
		const w = await world()
		expect(await mutationNumberOf(w.owner)).toBeUndefined()
		expect(await ok(w.owner, { name: 'recordVisit', args: { fileId: w.privateFile } })).toBe(1)
		expect(await ok(w.owner, { name: 'recordVisit', args: { fileId: w.privateFile } })).toBe(2)
		expect(await ok(w.owner, { name: 'updateUser', args: { name: 'Ada' } })).toBe(3)
		expect(await mutationNumberOf(w.owner)).toBe('3')
		expect(await mutationNumberOf(w.guest)).toBeUndefined()
	})

	it('createFile creates the file and the owner’s file_state', async () => {
		const w = await world()
		const id = randomUUID()
		await ok(w.owner, { name: 'createFile', args: { id, name: 'Roadmap' } })
		const file = await getFileRow(id)
		expect(file).toMatchObject({ id, ownerId: w.owner, name: 'Roadmap', shared: false, sharedLinkType: 'edit', isDeleted: false, createSource: null })
		expect(await getState(w.owner, id)).toMatchObject({ firstVisitAt: file.createdAt, lastVisitAt: file.createdAt, isPinned: false })
	})

	it('createFile without an id makes one', async () => {
		const w = await world()
		const before = await db().selectFrom('file').select('id').where('ownerId', '=', w.owner).execute()
		await ok(w.owner, { name: 'createFile', args: {} })
		const after = await db().selectFrom('file').selectAll().where('ownerId', '=', w.owner).execute()
		const added = after.filter((f) => !before.some((b) => b.id === f.id))
		expect(added).toHaveLength(1)
		expect(added[0]).toMatchObject({ name: '', ownerId: w.owner })
		expect(await getState(w.owner, added[0]!.id)).toBeDefined()
	})

	it('updateFile renames and shares the owner’s file and bumps updatedAt', async () => {
		const w = await world()
		const before = await getFileRow(w.privateFile)
		await ok(w.owner, { name: 'updateFile', args: { id: w.privateFile, name: 'Renamed', shared: true, sharedLinkType: 'view' } })
		const after = await getFileRow(w.privateFile)
		expect(after).toMatchObject({ name: 'Renamed', shared: true, sharedLinkType: 'view', published: false })
		expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime())
		await ok(w.owner, { name: 'updateFile', args: { id: w.privateFile, shared: false } })
		expect(await getFileRow(w.privateFile)).toMatchObject({ name: 'Renamed', shared: false, sharedLinkType: 'view' })
	})

	it('deleteFile soft-deletes: the row stays, marked deleted', async () => {
		const w = await world()
		await ok(w.owner, { name: 'deleteFile', args: { id: w.editLinkFile } })
		expect(await getFileRow(w.editLinkFile)).toMatchObject({ isDeleted: true })
		expect(await getState(w.owner, w.editLinkFile)).toBeDefined()
	})

	it.each(['viewLinkFile', 'editLinkFile'] as const)('pinFile and recordVisit work for a guest on a %s', async (which) => {
		const w = await world()
		const fileId = w[which]
		await ok(w.guest, { name: 'pinFile', args: { fileId, isPinned: true } })
		expect(await getState(w.guest, fileId)).toMatchObject({ isPinned: true, firstVisitAt: null, lastVisitAt: null })
		await ok(w.guest, { name: 'recordVisit', args: { fileId } })
		const visited = await getState(w.guest, fileId)
		expect(visited).toMatchObject({ isPinned: true, firstVisitAt: expect.any(Date), lastVisitAt: expect.any(Date) })
		await ok(w.guest, { name: 'pinFile', args: { fileId, isPinned: false } })
		await ok(w.guest, { name: 'recordVisit', args: { fileId } })
		const again = await getState(w.guest, fileId)
		expect(again).toMatchObject({ isPinned: false, firstVisitAt: visited!.firstVisitAt })
		expect(again!.lastVisitAt!.getTime()).toBeGreaterThanOrEqual(visited!.lastVisitAt!.getTime())
	})

	it('the owner may pin their own private file', async () => {
		const w = await world()
		await ok(w.owner, { name: 'pinFile', args: { fileId: w.privateFile, isPinned: true } })
		expect(await getState(w.owner, w.privateFile)).toMatchObject({ isPinned: true })
	})

	it('updateUser changes only what it is given, replaces preferences and bumps updatedAt', async () => {
		const w = await world()
		const before = await db().selectFrom('user').selectAll().where('id', '=', w.owner).executeTakeFirstOrThrow()
		await ok(w.owner, { name: 'updateUser', args: { color: '#ff802b', preferences: { isDarkMode: true, locale: 'de' } } })
		await ok(w.owner, { name: 'updateUser', args: { preferences: { locale: 'fr' } } })
		const after = await db().selectFrom('user').selectAll().where('id', '=', w.owner).executeTakeFirstOrThrow()
		expect(after).toMatchObject({ name: 'Owner', color: '#ff802b', preferences: { locale: 'fr' } })
		expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime())
	})

	type Rejection = [string, MutationRejectCode, (w: World) => { userId: string; mutation: Mutation }]
	it.each<Rejection>([
		['createFile with a taken id', 'ALREADY_EXISTS', (w) => ({ userId: w.guest, mutation: { name: 'createFile', args: { id: w.privateFile, name: 'mine now' } } })],
		['createFile with the id of a removed file', 'ALREADY_EXISTS', (w) => ({ userId: w.owner, mutation: { name: 'createFile', args: { id: w.removedFile } } })],
		['createFile with my own taken id', 'ALREADY_EXISTS', (w) => ({ userId: w.owner, mutation: { name: 'createFile', args: { id: w.deletedFile } } })],
		['updateFile by a guest on an edit link', 'FORBIDDEN', (w) => ({ userId: w.guest, mutation: { name: 'updateFile', args: { id: w.editLinkFile, name: 'x' } } })],
		['updateFile by a guest on a private file', 'FORBIDDEN', (w) => ({ userId: w.guest, mutation: { name: 'updateFile', args: { id: w.privateFile, shared: true } } })],
		['updateFile of a deleted file', 'NOT_FOUND', (w) => ({ userId: w.owner, mutation: { name: 'updateFile', args: { id: w.deletedFile, name: 'x' } } })],
		['updateFile of a missing file', 'NOT_FOUND', (w) => ({ userId: w.owner, mutation: { name: 'updateFile', args: { id: w.missingFile, name: 'x' } } })],
		['deleteFile by a guest', 'FORBIDDEN', (w) => ({ userId: w.guest, mutation: { name: 'deleteFile', args: { id: w.editLinkFile } } })],
		['deleteFile twice', 'NOT_FOUND', (w) => ({ userId: w.owner, mutation: { name: 'deleteFile', args: { id: w.deletedFile } } })],
		['deleteFile of a missing file', 'NOT_FOUND', (w) => ({ userId: w.owner, mutation: { name: 'deleteFile', args: { id: w.missingFile } } })],
		['pinFile of a private file', 'FORBIDDEN', (w) => ({ userId: w.guest, mutation: { name: 'pinFile', args: { fileId: w.privateFile, isPinned: true } } })],
		['pinFile of a deleted file', 'NOT_FOUND', (w) => ({ userId: w.owner, mutation: { name: 'pinFile', args: { fileId: w.deletedFile, isPinned: true } } })],
		['pinFile of a missing file', 'NOT_FOUND', (w) => ({ userId: w.guest, mutation: { name: 'pinFile', args: { fileId: w.missingFile, isPinned: true } } })],
		['recordVisit of a private file', 'FORBIDDEN', (w) => ({ userId: w.guest, mutation: { name: 'recordVisit', args: { fileId: w.privateFile } } })],
		['recordVisit of a deleted file', 'NOT_FOUND', (w) => ({ userId: w.guest, mutation: { name: 'recordVisit', args: { fileId: w.deletedFile } } })],
	])('rejects %s with %s and leaves no trace', async (_name, code, build) => {
		const w = await world()
		// Each user has a mutation behind them, so "no trace" also means "the number did not move".
		await ok(w.owner, { name: 'updateUser', args: { name: 'Owner' } })
		await ok(w.guest, { name: 'updateUser', args: { name: 'Guest' } })
		const before = await traces([w.owner, w.guest])
		const { userId, mutation } = build(w)
		const result = await runMutation(db(), userId, mutation)
		expect(result).toEqual({ ok: false, code, message: expect.any(String) })
		expect(await traces([w.owner, w.guest])).toEqual(before)
		expect(await mutationNumberOf(userId)).toBe('1')
		expect(await ok(userId, { name: 'updateUser', args: { color: '#000' } })).toBe(2)
	})

	it('the database itself refuses a removed file id and tombstones every removal path', async () => {
		const w = await world()
		await expect(db().insertInto('file').values({ id: w.removedFile, ownerId: w.guest }).execute()).rejects.toThrow(/cannot be used again/)
		// The user cascade tombstones the files it removes too.
		const cascaded = await createFile(db(), { id: uid('cascade'), ownerId: w.guest })
		await db().deleteFrom('user').where('id', '=', w.guest).execute()
		expect(await isFileIdRetired(db(), cascaded.id)).toBe(true)
		// Ids can be retired before their rows go (a purge in progress).
		const early = uid('early')
		await retireFileIds(db(), [early, early])
		expect(await isFileIdRetired(db(), early)).toBe(true)
		await expect(createFile(db(), { id: early, ownerId: w.owner })).rejects.toThrow(/cannot be used again/)
	})

	it('a mutation by a user without a row throws and leaves no trace', async () => {
		const ghost = uid('ghost')
		await expect(runMutation(db(), ghost, { name: 'createFile', args: { id: uid('f') } })).rejects.toThrow()
		expect(await traces([ghost])).toEqual({ users: [], files: [], fileStates: [], counters: [] })
	})

	it('two users interleaving keep separate, gap-free numbers', async () => {
		const w = await world()
		const seen: Record<string, number[]> = { [w.owner]: [], [w.guest]: [] }
		for (let i = 0; i < 3; i++) {
			seen[w.owner]!.push(await ok(w.owner, { name: 'createFile', args: {} }))
			seen[w.guest]!.push(await ok(w.guest, { name: 'recordVisit', args: { fileId: w.editLinkFile } }))
			const rejected = await runMutation(db(), w.guest, { name: 'deleteFile', args: { id: w.editLinkFile } })
			expect(rejected.ok).toBe(false)
		}
		expect(seen).toEqual({ [w.owner]: [1, 2, 3], [w.guest]: [1, 2, 3] })
	})

	it('concurrent mutations on separate connections get distinct numbers per user', async () => {
		const w = await world()
		const handles = Array.from({ length: 6 }, () => createDb(url))
		try {
			const results = await Promise.all(
				handles.map((h, i) =>
					runMutation(h.db, i % 2 ? w.guest : w.owner, i % 2 ? { name: 'recordVisit', args: { fileId: w.viewLinkFile } } : { name: 'createFile', args: {} }),
				),
			)
			const numbers = (parity: number) => results.filter((_, i) => i % 2 === parity).map((r) => (r.ok ? r.mutationNumber : -1)).sort()
			expect(numbers(0)).toEqual([1, 2, 3])
			expect(numbers(1)).toEqual([1, 2, 3])
		} finally {
			await Promise.all(handles.map((h) => h.close()))
		}
	})
})

async function currentLsn(): Promise<string> {
	const { rows } = await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(db())
	return rows[0]!.lsn
}

/** Commits a write and returns a lower bound of its commit LSN: the WAL insert position after the write. */
async function writeAndTakeCommitLsnBound(userId: string): Promise<string> {
	return db()
		.transaction()
		.execute(async (tx) => {
			await tx.updateTable('user').set({ avatar: uid('avatar') }).where('id', '=', userId).execute()
			const { rows } = await sql<{ lsn: string }>`SELECT pg_current_wal_insert_lsn()::text AS lsn`.execute(tx)
			return rows[0]!.lsn
		})
}

describe('loadInitialData', () => {
	it('has my files, shared files I opened, all my file states and my mutation number', async () => {
		const w = await world()
		const unsharedLater = (await createFile(db(), { id: uid('file'), ownerId: w.owner, shared: true })).id
		for (const fileId of [w.viewLinkFile, w.editLinkFile, unsharedLater]) await ok(w.guest, { name: 'recordVisit', args: { fileId } })
		await ok(w.owner, { name: 'updateFile', args: { id: unsharedLater, shared: false } })
		const guestOwn = uid('guest_file')
		await ok(w.guest, { name: 'createFile', args: { id: guestOwn } })

		const owner = await loadInitialData(db(), w.owner)
		expect(owner.user).toMatchObject({ id: w.owner, name: 'Owner' })
		expect(owner.files.map((f) => f.id).sort()).toEqual([w.privateFile, w.viewLinkFile, w.editLinkFile, unsharedLater].sort())
		expect(owner.fileStates.map((s) => s.fileId).sort()).toEqual([w.privateFile, w.viewLinkFile, w.editLinkFile, w.deletedFile, unsharedLater].sort())
		expect(owner.mutationNumber).toBe(1)

		const guest = await loadInitialData(db(), w.guest)
		expect(guest.files.map((f) => f.id).sort()).toEqual([w.viewLinkFile, w.editLinkFile, guestOwn].sort())
		expect(guest.fileStates.map((s) => s.fileId).sort()).toEqual([w.viewLinkFile, w.editLinkFile, unsharedLater, guestOwn].sort())
		expect(guest.fileStates.every((s) => s.userId === w.guest && s.lastVisitAt instanceof Date)).toBe(true)
		expect(guest.mutationNumber).toBe(4)
		expect(guest.files[0]!.createdAt).toBeInstanceOf(Date)
	})

	it('a user with no mutations yet has mutation number 0', async () => {
		const w = await world()
		expect((await loadInitialData(db(), w.guest)).mutationNumber).toBe(0)
	})

	it('returns an LSN that a transaction committed after it is above', async () => {
		const w = await world()
		const before = await currentLsn()
		const data = await loadInitialData(db(), w.owner)
		expect(parseLsn(data.lsn)).toBeTypeOf('bigint')
		expect(compareLsn(data.lsn, before)).toBeGreaterThanOrEqual(0)
		expect(compareLsn(await writeAndTakeCommitLsnBound(w.owner), data.lsn)).toBe(1)
	})

	it('throws when the user row is missing (the host upserts it first)', async () => {
		await expect(loadInitialData(db(), uid('ghost'))).rejects.toThrow(/no user row/)
	})
})
