import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './schema'

export const DB_CONNECT_TIMEOUT_MS = 10_000

export type Db = Kysely<Database>

/**
 * A kysely handle over a one-connection pool. In the stateless Worker create it per request and
 * `close()` it before the response is done: a pool kept in module scope and reused by a later request
 * hangs that request under workerd. Durable Objects may keep one for their lifetime.
 */
export function createDb(databaseUrl: string): { db: Db; close: () => Promise<void> } {
	const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: DB_CONNECT_TIMEOUT_MS })
	let closing: Promise<void> | null = null
	// Without a listener an idle connection dropped by the server is an unhandled 'error' that kills the isolate.
	pool.on('error', (err) => {
		// Ending a connection closes its workerd socket under pg-cloudflare's pending read, which then rejects
		// with "This socket has been closed.": the end of a connection we closed, not an error.
		if (closing && isClosedSocketError(err)) return
		console.error('postgres pool error:', err.message)
	})
	const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
	return {
		db,
		close: () => (closing ??= db.destroy()),
	}
}

/** The error workerd's socket API gives a read that was pending when the socket was closed. */
export function isClosedSocketError(err: unknown): boolean {
	return err instanceof Error && err.message === 'This socket has been closed.'
}
