/**
 * Applies every pending migration in migrations/ with kysely's Migrator.
 *   npm run migrate [-- --database-url URL] [--down]
 * DATABASE_URL defaults to the dev cluster that ./dev.sh starts.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Kysely, PostgresDialect } from 'kysely'
import { FileMigrationProvider, Migrator } from 'kysely/migration'
import pg from 'pg'

const HELP = `usage: npm run migrate [-- --database-url URL] [--down]

Applies pending Postgres migrations from migrations/ (kysely Migrator).
  --database-url URL  Postgres to migrate (default: $DATABASE_URL, else the ./dev.sh cluster
                      postgres://postgres@127.0.0.1:54329/sync_worker)
  --down              roll back the most recent migration instead
  --help              this text`

export async function migrateToLatest(databaseUrl: string, direction: 'up' | 'down' = 'up') {
	const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
	pool.on('error', (err) => console.error('postgres pool error:', err.message))
	const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
	const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations')
	const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder }) })
	try {
		const { error, results } = direction === 'up' ? await migrator.migrateToLatest() : await migrator.migrateDown()
		for (const r of results ?? []) {
			console.log(`${r.status === 'Success' ? 'applied' : r.status}: ${r.migrationName} (${r.direction})`)
		}
		if (error) throw error
		if (results?.length === 0) console.log('database is up to date')
	} finally {
		await db.destroy()
	}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const args = process.argv.slice(2)
	if (args.includes('--help') || args.includes('-h')) {
		console.log(HELP)
		process.exit(0)
	}
	const urlIdx = args.indexOf('--database-url')
	const url = urlIdx >= 0 ? args[urlIdx + 1] : (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:54329/sync_worker')
	if (!url) {
		console.error('error: --database-url needs a value\n\n' + HELP)
		process.exit(2)
	}
	migrateToLatest(url, args.includes('--down') ? 'down' : 'up').catch((err) => {
		console.error('migration failed:', err instanceof Error ? err.message : err)
		process.exit(1)
	})
}
