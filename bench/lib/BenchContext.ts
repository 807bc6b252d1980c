import type { BenchSystem } from '../systems/BenchSystem.ts'

/** What every scenario gets from run.ts. */
export interface BenchContext {
	syncWorker: BenchSystem
	/** TLSocketRoom on Node + ws, InMemorySyncStorage. */
	baseline: BenchSystem
	/** The same server with SQLiteSyncStorage on node:sqlite. */
	baselineSqlite: BenchSystem
	/** Raw broadcast Durable Object under the same workerd. */
	limit: BenchSystem
	/** The same relay writing each message to its SQLite before relaying it. */
	limitDurable: BenchSystem
	/** sync-worker's `--persist-to` directory; its local R2 lives under `v3/r2`. */
	syncWorkerPersistDir: string
	/** Smaller counts for a quick look (BENCH_QUICK=1); the report says so. */
	quick: boolean
	/** A room id unique to this run. */
	roomId(name: string): string
	log(message: string): void
}
