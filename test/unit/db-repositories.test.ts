/**
 * The kysely repositories against a real Postgres (test/helpers/postgres.ts), and the in-memory fake
 * against the same contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../src/db/createDb'
import { createFileRepository, type FileRepository } from '../../src/db/FileRepository'
import { AccountDeletedError, retireUserId } from '../../src/db/userTombstones'
import { FakeFileRepository } from '../fakes/FakeFileRepository'
import { startTestDatabase } from '../helpers/postgres'
import { describeFileRepositoryContract } from '../fakes/fileRepositoryContract'



let database: { url: string; stop: () => Promise<void> } | undefined
let handle: { db: Db; close: () => Promise<void> } | undefined
let repo: FileRepository | undefined

beforeAll(async () => {
	database = await startTestDatabase()
	handle = createDb(database.url)
	repo = createFileRepository(handle.db)
}, 120_000)

afterAll(async () => {
	await handle?.close()
	await database?.stop()
}, 60_000)

describeFileRepositoryContract('postgres', () => repo!)
describeFileRepositoryContract('fake', () => new FakeFileRepository())

describe('createDb', () => {
	it('close() is idempotent', async () => {
		const { db, close } = createDb(`postgres://postgres@127.0.0.1:1/none`)
		expect(db).toBeDefined()
		await close()
		await close()
	})

	it('timestamps come back as Date and bigint as string, as the row types say', async () => {
		const db = handle!.db
		const userId = `types_${Date.now()}`
		await createFileRepository(db).upsertUser({ id: userId })
		await db.insertInto('user_mutation_number').values({ userId, mutationNumber: 2n ** 53n + 1n }).execute()
		const row = await db
			.selectFrom('user_mutation_number')
			.innerJoin('user', 'user.id', 'user_mutation_number.userId')
			.select(['user.createdAt', 'mutationNumber'])
			.where('user_mutation_number.userId', '=', userId)
			.executeTakeFirstOrThrow()
		expect(row.createdAt).toBeInstanceOf(Date)
		expect(row.mutationNumber).toBe('9007199254740993')
	})
})

describe('a deleted user’s id (DELETE /app/me)', () => {
	it.each([
		['while the row still exists (the purge is running)', true],
		['after the row is gone', false],
	])('is refused by upsertUser %s, and by plain SQL', async (_name, rowExists) => {
		const db = handle!.db
		const userId = `retired_${Date.now()}_${rowExists}`
		const users = createFileRepository(db)
		await users.upsertUser({ id: userId, name: 'Bob', email: 'bob@example.com' })
		await retireUserId(db, userId)
		await retireUserId(db, userId)
		if (!rowExists) await db.deleteFrom('user').where('id', '=', userId).execute()
		await expect(users.upsertUser({ id: userId, name: 'Bob', email: 'new@example.com' })).rejects.toBeInstanceOf(AccountDeletedError)
		await expect(db.insertInto('user').values({ id: userId, name: '', email: '' }).onConflict((oc) => oc.column('id').doNothing()).execute()).rejects.toThrow(/cannot come back/)
		const rows = await db.selectFrom('user').select('email').where('id', '=', userId).execute()
		expect(rows).toEqual(rowExists ? [{ email: 'bob@example.com' }] : [])
		// Other users are not affected.
		await expect(users.upsertUser({ id: `${userId}_other` })).resolves.toMatchObject({ id: `${userId}_other` })
	})
})
