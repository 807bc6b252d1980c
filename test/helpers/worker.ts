/**
 * Ways to run the real worker for end-to-end tests: wrangler's test harness (in-process workerd), or a
 * real `wrangler dev` process with on-disk state that a test can SIGKILL and start again.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { createTestHarness } from 'wrangler'
import { waitFor } from './waitFor.ts'

export const ROOT = path.resolve(import.meta.dirname, '../..')

process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
process.env.WRANGLER_SEND_METRICS = 'false'

/**
 * Starts the worker in-process. With a DATABASE_URL, each harness gets its own replication slot (dropped
 * on close), so test files never share a stream.
 */
export async function startHarness(vars: Record<string, string> = {}) {
	const slot = vars.DATABASE_URL && !vars.REPLICATION_SLOT ? `sw_test_${Math.random().toString(36).slice(2, 10)}` : null
	const allVars = slot ? { ...vars, REPLICATION_SLOT: slot } : vars
	const server = createTestHarness({ root: ROOT, workers: [{ configPath: './wrangler.toml', vars: allVars }] })
	const { url } = await server.listen()
	const close = server.close.bind(server)
	server.close = async () => {
		await close()
		if (slot) await dropSlot(vars.DATABASE_URL!, slot)
	}
	return { server, url: url.toString().replace(/\/$/, ''), slot: allVars.REPLICATION_SLOT ?? null }
}

export async function dropSlot(databaseUrl: string, slot: string) {
	const client = new pg.Client({ connectionString: databaseUrl })
	client.on('error', () => {})
	try {
		await client.connect()
		await client.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL', [slot])
		await waitFor(async () => (await client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active !== true, `slot ${slot} to be released`, 5_000)
		await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot])
	} catch (err) {
		console.warn(`could not drop replication slot ${slot}:`, err instanceof Error ? err.message : err)
	} finally {
		await client.end().catch(() => {})
	}
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer()
		srv.listen(0, '127.0.0.1', () => {
			const port = (srv.address() as { port: number }).port
			srv.close(() => resolve(port))
		})
		srv.on('error', reject)
	})
}

export interface DevServer {
	url: string
	proc: ChildProcess
	/** Kills wrangler and workerd at once, as a crash or power cut would. */
	kill(signal?: NodeJS.Signals): Promise<void>
	output(): string
}

/** Starts `wrangler dev` with state under `persistTo`; resolves once /health answers. */
export async function startWranglerDev(opts: {
	persistTo: string
	port?: number
	vars?: Record<string, string>
	/** Module substitutions for the build, e.g. `{ '#schema': './test/fixtures/schemaV1.ts' }` for an older deployment. */
	alias?: Record<string, string>
}): Promise<DevServer> {
	const port = opts.port ?? (await freePort())
	const args = [path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', opts.persistTo, '--inspector-port', String(await freePort())]
	for (const [k, v] of Object.entries(opts.vars ?? {})) args.push('--var', `${k}:${v}`)
	// `wrangler dev --alias` is not passed to the dev build (wrangler 4.164), but an `[alias]` table in the
	// config is; the copy sits next to wrangler.toml so its relative paths still resolve.
	const aliasConfig = opts.alias ? writeAliasConfig(opts.alias) : null
	if (aliasConfig) args.push('--config', aliasConfig)
	let out = ''
	// process.execPath is the project's Node 22 (vitest runs under it), which wrangler 4 requires.
	const proc = spawn(process.execPath, args, {
		cwd: ROOT,
		detached: true, // own process group, so killing it takes workerd down too
		env: { ...process.env, PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
		stdio: ['ignore', 'pipe', 'pipe'],
	})
	proc.stdout!.on('data', (d) => (out += d))
	proc.stderr!.on('data', (d) => (out += d))
	const url = `http://127.0.0.1:${port}`
	const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
	if (aliasConfig) void exited.then(() => rmSync(aliasConfig, { force: true }))
	const healthy = async () => {
		if (proc.exitCode !== null) throw new Error(`wrangler dev exited early:\n${out}`)
		return fetch(`${url}/health`).then((res) => res.ok, () => false)
	}
	await waitFor(healthy, 'wrangler dev to answer /health', 60_000).catch((err) => {
		if (proc.exitCode === null) process.kill(-proc.pid!, 'SIGKILL')
		throw new Error(`${err instanceof Error ? err.message : err}:\n${out}`)
	})
	return {
		url,
		proc,
		output: () => out,
		async kill(signal: NodeJS.Signals = 'SIGKILL') {
			if (proc.exitCode !== null || proc.signalCode !== null) return
			try {
				process.kill(-proc.pid!, signal)
			} catch {
				// already gone
			}
			await exited
		},
	}
}

function writeAliasConfig(alias: Record<string, string>): string {
	const file = path.join(ROOT, `.wrangler-test-alias-${process.pid}-${Math.random().toString(36).slice(2, 8)}.toml`)
	const table = Object.entries(alias).map(([k, v]) => `${JSON.stringify(k)} = ${JSON.stringify(v)}`).join('\n')
	writeFileSync(file, `${readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8')}\n[alias]\n${table}\n`)
	return file
}

export function tempDir(prefix: string) {
	const dir = mkdtempSync(path.join(tmpdir(), `sync-worker-${prefix}-`))
	return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
