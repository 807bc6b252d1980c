/**
 * Replication bench: commit-to-client latency of Postgres logical replication through the replicator
 * and a user Durable Object to a user socket, on loopback. Part of `npm run bench`; writes
 * bench/REPLICATION.md and bench/replication-results.json (keeping the previous run's figures beside).
 *   node bench/replication.ts [--samples N]      (BENCH_QUICK=1 for a smoke run)
 */
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import WebSocket from 'ws'
import { migrateToLatest } from '../scripts/migrate.ts'
import { mintDevToken } from '../scripts/token.ts'
import { describeMachine } from './lib/machine.ts'
import { freePort, sleep } from './lib/processes.ts'
import { summarize, type Summary } from './lib/stats.ts'
import { WranglerDev } from './systems/WranglerDev.ts'

if (process.argv.includes('--help') || process.argv.includes('-h')) {
	console.log(`usage: node bench/replication.ts [--samples N]

Starts a throwaway Postgres and the worker under wrangler dev, connects one user socket, and measures
commit-to-socket latency of replicated changes (one-row and 100-row transactions). Writes
bench/REPLICATION.md and bench/replication-results.json (previous figures kept beside).
Env: BENCH_QUICK=1 (40 samples), BENCH_OUT_DIR=dir.`)
	process.exit(0)
}

const REPO_ROOT = new URL('..', import.meta.url).pathname
const OUT_DIR = process.env.BENCH_OUT_DIR ?? join(REPO_ROOT, 'bench')
const QUICK = process.env.BENCH_QUICK === '1'
const argIdx = process.argv.indexOf('--samples')
const SAMPLES = argIdx > 0 ? Number(process.argv[argIdx + 1]) : QUICK ? 40 : 400
const ORIGIN = 'http://localhost:8787'

interface Results {
	date: string
	samples: number
	singleRow: Summary | null
	batchOf100: Summary | null
	lost: number
}

async function main() {
	const work = mkdtempSync(join(tmpdir(), 'sync-worker-bench-repl-'))
	execFileSync('chmod', ['755', work])
	const pgDir = join(work, 'pg')
	const pgPort = await freePort()
	const url = `postgres://postgres@127.0.0.1:${pgPort}/sync_worker`
	let dev: WranglerDev | null = null
	const pool = new pg.Pool({ connectionString: url, max: 2 })
	pool.on('error', () => {})
	try {
		execFileSync('bash', [join(REPO_ROOT, 'scripts/pg.sh'), 'start', pgDir, String(pgPort)], { stdio: 'inherit' })
		await migrateToLatest(url)
		const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })
		dev = new WranglerDev({
			configPath: 'wrangler.toml',
			persistTo: join(work, 'wrangler'),
			logFile: join(work, 'wrangler.log'),
			healthPath: '/health',
			vars: {
				DATABASE_URL: url,
				CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString().replaceAll('\n', '\\n'),
				ALLOWED_ORIGINS: ORIGIN,
				REPLICATION_SLOT: 'sync_worker_bench',
			},
		})
		await dev.start()
		const userId = 'bench_user'
		const token = await mintDevToken(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { userId, azp: ORIGIN })
		await pool.query(`INSERT INTO "user" (id, name) VALUES ($1, 'Bench')`, [userId])
		await pool.query(`INSERT INTO "file" (id, "ownerId", name) SELECT 'bf' || g, $1, 'v0' FROM generate_series(1, 100) g`, [userId])

		const arrivals = new Map<string, number>()
		const ws = new WebSocket(`${dev.baseUrl.replace('http', 'ws')}/app/${userId}/connect?accessToken=${token}`)
		ws.on('message', (data) => {
			const msg = JSON.parse(String(data)) as { type: string; changes?: Array<{ row: { name?: string } }> }
			if (msg.type !== 'changes') return
			const now = performance.now()
			for (const c of msg.changes ?? []) if (c.row.name && !arrivals.has(c.row.name)) arrivals.set(c.row.name, now)
		})
		await new Promise<void>((resolve, reject) => {
			ws.once('message', () => resolve())
			ws.once('error', reject)
		})
		await sleep(1_000) // let the stream start

		// Single-row commits, one at a time: commit returned → change on the socket.
		const single: number[] = []
		let lost = 0
		for (let i = 1; i <= SAMPLES; i++) {
			const name = `s${i}`
			await pool.query(`UPDATE "file" SET name = $1 WHERE id = 'bf1'`, [name])
			const committed = performance.now()
			const arrived = await waitFor(() => arrivals.get(name), 5_000)
			if (arrived === undefined) lost++
			else single.push(Math.max(0, arrived - committed))
			await sleep(10)
		}
		// 100-row transactions: commit → the last of its 100 changes on the socket.
		const batch: number[] = []
		for (let i = 1; i <= Math.ceil(SAMPLES / 10); i++) {
			const name = `b${i}`
			await pool.query(`UPDATE "file" SET name = $1 || '-' || id WHERE "ownerId" = $2`, [name, userId])
			const committed = performance.now()
			const arrived = await waitFor(() => (countPrefix(arrivals, `${name}-`) >= 100 ? performance.now() : undefined), 10_000)
			if (arrived === undefined) lost++
			else batch.push(Math.max(0, arrived - committed))
		}
		ws.close()
		const results: Results = { date: new Date().toISOString(), samples: SAMPLES, singleRow: summarize(single), batchOf100: summarize(batch), lost }
		writeReport(results)
	} finally {
		await pool.end().catch(() => {})
		if (dev) await dev.stop().catch(() => {})
		execFileSync('bash', [join(REPO_ROOT, 'scripts/pg.sh'), 'stop', pgDir], { stdio: 'inherit' })
		rmSync(work, { recursive: true, force: true })
	}
}

function countPrefix(map: Map<string, number>, prefix: string): number {
	let n = 0
	for (const k of map.keys()) if (k.startsWith(prefix)) n++
	return n
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
	const deadline = performance.now() + timeoutMs
	for (;;) {
		const v = probe()
		if (v !== undefined) return v
		if (performance.now() > deadline) return undefined
		await new Promise((r) => setImmediate(r))
	}
}

function writeReport(r: Results) {
	const jsonPath = join(OUT_DIR, 'replication-results.json')
	const previous: Results | null = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Results) : null
	const m = describeMachine()
	const fmt = (s: Summary | null | undefined, k: keyof Summary) => (s ? Number(s[k]).toFixed(1) : '—')
	const row = (label: string, s: Summary | null, p: Summary | null | undefined) =>
		`| ${label} | ${fmt(s, 'p50')} | ${fmt(s, 'p95')} | ${fmt(s, 'p99')} | ${fmt(s, 'max')} | ${s?.n ?? 0} | ${fmt(p, 'p50')} | ${fmt(p, 'p99')} |`
	const md = `# Replication latency

Produced by \`npm run bench\` (its replication part: \`node bench/replication.ts\`), ${r.date}, ${QUICK ? 'BENCH_QUICK' : 'full'} run.
Machine: ${m.nproc} cores, ${m.cpuModel}, node ${m.node}, workerd ${m.workerd}.

Commit-to-client latency on loopback: a statement commits in Postgres (its \`pool.query\` returns) → the
replicator (pgoutput slot, SQLite outbox, acknowledged after storing) → the user's Durable Object → the
user's socket. Clock: the load generator's \`performance.now()\`. Postgres is a throwaway local cluster
with \`synchronous_commit=on\`; the worker runs under \`wrangler dev\` (two workerd processes on the path).

| workload | p50 ms | p95 ms | p99 ms | max ms | n | previous p50 ms | previous p99 ms |
|---|---|---|---|---|---|---|---|
${row('one-row UPDATE, one at a time', r.singleRow, previous?.singleRow)}
${row('100-row UPDATE (last row arrives)', r.batchOf100, previous?.batchOf100)}

Lost (not delivered within 5–10 s): ${r.lost}.
`
	writeFileSync(join(OUT_DIR, 'REPLICATION.md'), md)
	writeFileSync(jsonPath, JSON.stringify(r, null, 2) + '\n')
	console.log(md)
}

main().catch((err) => {
	console.error('replication bench failed:', err)
	process.exit(1)
})
