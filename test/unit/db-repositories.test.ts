/**
 * The kysely repositories against a real Postgres (test/helpers/postgres.ts), and the in-memory fake
 * against the same contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../src/db/createDb'
import { createFileRepository, type FileRepository } from '../../src/db/FileRepository'
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
