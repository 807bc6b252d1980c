/**
 * The kysely repositories against a real, throwaway Postgres (scripts/pg.sh on a free port, migrated with
 * scripts/migrate.ts), and the in-memory fake against the same contract.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../scripts/migrate.ts'
import { createDb, type Db } from '../../src/db/createDb'
import { createFileRepository, type FileRepository } from '../../src/db/FileRepository'
import { FakeFileRepository } from '../fakes/FakeFileRepository'
import { describeFileRepositoryContract } from '../fakes/fileRepositoryContract'

const run = promisify(execFile)
const ROOT = path.resolve(import.meta.dirname, '../..')
const PG_SH = path.join(ROOT, 'scripts/pg.sh')

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer()
		server.once('error', reject)
		server.listen(0, '127.0.0.1', () => {
			const address = server.address()
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
		})
	})
}

let dataDir: string | undefined
let handle: { db: Db; close: () => Promise<void> } | undefined
let repo: FileRepository | undefined

beforeAll(async () => {
	dataDir = mkdtempSync(path.join(tmpdir(), 'sync-worker-pg-'))
	const port = await freePort()
	await run('bash', [PG_SH, 'start', dataDir, String(port)], {
		env: { ...process.env, PG_EXTRA_OPTS: '-c fsync=off -c synchronous_commit=off -c full_page_writes=off' },
	})
	const url = (await run('bash', [PG_SH, 'url', String(port)])).stdout.trim()
	await migrateToLatest(url)
	handle = createDb(url)
	repo = createFileRepository(handle.db)
}, 120_000)

afterAll(async () => {
	await handle?.close()
	if (dataDir) {
		await run('bash', [PG_SH, 'stop', dataDir]).catch(() => {})
		rmSync(dataDir, { recursive: true, force: true })
	}
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
