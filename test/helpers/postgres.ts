/**
 * A migrated Postgres for tests that talk to it directly: the run's cluster when scripts/test.sh set
 * DATABASE_URL, else a throwaway one (so a single file can run on its own). Use unique ids per test.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { migrateToLatest } from '../../scripts/migrate.ts'
import { freePort, ROOT } from './worker.ts'

const run = promisify(execFile)
const PG_SH = path.join(ROOT, 'scripts/pg.sh')

export async function startTestDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
	if (process.env.DATABASE_URL) {
		await migrateToLatest(process.env.DATABASE_URL)
		return { url: process.env.DATABASE_URL, stop: async () => {} }
	}
	const dataDir = mkdtempSync(path.join(tmpdir(), 'sync-worker-pg-'))
	const port = await freePort()
	await run('bash', [PG_SH, 'start', dataDir, String(port)], {
		env: { ...process.env, PG_EXTRA_OPTS: '-c fsync=off -c synchronous_commit=off -c full_page_writes=off' },
	})
	const url = (await run('bash', [PG_SH, 'url', String(port)])).stdout.trim()
	await migrateToLatest(url)
	return {
		url,
		stop: async () => {
			await run('bash', [PG_SH, 'stop', dataDir]).catch(() => {})
			rmSync(dataDir, { recursive: true, force: true })
		},
	}
}
