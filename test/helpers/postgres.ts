/**
 * A migrated Postgres for tests that talk to it directly: the run's cluster when scripts/test.sh set
 * DATABASE_URL, else (or when asked) a throwaway one. Use unique ids per test.
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

const PG_EXTRA_OPTS = '-c fsync=off -c synchronous_commit=off -c full_page_writes=off'

export interface TestDatabase {
	url: string
	stop: () => Promise<void>
	/** Kills the cluster (an immediate stop, which Postgres recovers from as from a crash) and starts it again. Own clusters only. */
	crashAndRestart?: () => Promise<void>
}

/**
 * `own`: always a cluster of this file's own, e.g. for a test that restarts Postgres: the run's cluster is
 * shared with the test files running at the same time (other projects run in parallel).
 */
export async function startTestDatabase(opts: { own?: boolean } = {}): Promise<TestDatabase> {
	if (process.env.DATABASE_URL && !opts.own) {
		await migrateToLatest(process.env.DATABASE_URL)
		return { url: process.env.DATABASE_URL, stop: async () => {} }
	}
	const dataDir = mkdtempSync(path.join(tmpdir(), 'sync-worker-pg-'))
	const port = String(await freePort())
	const start = () => run('bash', [PG_SH, 'start', dataDir, port], { env: { ...process.env, PG_EXTRA_OPTS } })
	await start()
	const url = (await run('bash', [PG_SH, 'url', port])).stdout.trim()
	await migrateToLatest(url)
	return {
		url,
		stop: async () => {
			await run('bash', [PG_SH, 'stop', dataDir]).catch(() => {})
			rmSync(dataDir, { recursive: true, force: true })
		},
		crashAndRestart: async () => {
			await run('bash', [PG_SH, 'stop', dataDir], { env: { ...process.env, PG_STOP_MODE: 'immediate' } })
			await start()
		},
	}
}
