/** A `wrangler dev` process (and its workerd children) that can be restarted on the same persisted state. */
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { descendants, freePort, killGroup, spawnGroup, waitForHttp, type GroupProcess } from '../lib/processes.ts'

const REPO_ROOT = new URL('../..', import.meta.url).pathname
const WRANGLER_BIN = join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js')

export interface WranglerDevOptions {
	/** The directory wrangler runs in (default: the repo root). */
	projectDir?: string
	/** wrangler.toml path, relative to projectDir. */
	configPath: string
	persistTo: string
	logFile: string
	/** Overrides of [vars], passed as `--var KEY:VALUE` (wrangler.toml stays untouched). */
	vars?: Record<string, string>
	/** Any 200 route, polled until the worker is ready. */
	healthPath: string
}

export class WranglerDev {
	private proc: GroupProcess | null = null
	port = 0
	/** wrangler's inspector proxy (Chrome DevTools protocol) for the worker, used by the CPU profile. */
	inspectorPort = 0

	private readonly opts: WranglerDevOptions

	constructor(opts: WranglerDevOptions) {
		this.opts = opts
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`
	}

	async start(): Promise<void> {
		this.port = await freePort()
		this.inspectorPort = await freePort()
		const vars = Object.entries(this.opts.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`])
		this.proc = spawnGroup(
			process.execPath,
			[WRANGLER_BIN, 'dev', '-c', this.opts.configPath, '--port', String(this.port), '--ip', '127.0.0.1',
				'--persist-to', this.opts.persistTo, '--inspector-port', String(this.inspectorPort), '--show-interactive-dev-session=false', ...vars],
			{
				cwd: this.opts.projectDir ?? REPO_ROOT,
				env: { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', WRANGLER_CI_DISABLE_CONFIG_WATCHING: 'true', NO_COLOR: '1', CI: '1' },
				logFile: this.opts.logFile,
			},
		)
		const proc = this.proc
		await waitForHttp(this.baseUrl + this.opts.healthPath, 60_000, () => proc.child.exitCode === null)
	}

	async stop(): Promise<void> {
		if (this.proc) await killGroup(this.proc)
		this.proc = null
	}

	/** The source map of the bundle wrangler dev is running (the newest under .wrangler/tmp), if any. */
	bundleSourceMapPath(): string | null {
		const tmp = join(this.opts.projectDir ?? REPO_ROOT, '.wrangler/tmp')
		if (!existsSync(tmp)) return null
		const maps = readdirSync(tmp)
			.filter((d) => d.startsWith('dev-'))
			.map((d) => join(tmp, d, 'worker.js.map'))
			.filter((p) => existsSync(p))
			.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
		return maps[0] ?? null
	}

	/** Stop and start on the same --persist-to dir: every Durable Object starts cold. */
	async restart(): Promise<void> {
		await this.stop()
		await this.start()
	}

	/**
	 * wrangler dev runs two workerd processes: a proxy bound to the public port, and the runtime that hosts
	 * the worker and its Durable Objects (bound to a random port). Every request crosses both.
	 */
	workerdPids(): { runtime: number; proxy: number } {
		if (!this.proc?.child.pid) throw new Error('wrangler dev is not running')
		const workerds = descendants(this.proc.child.pid).filter((p) => /\bworkerd serve\b/.test(p.cmdline))
		const proxy = workerds.find((p) => p.cmdline.includes(`entry=127.0.0.1:${this.port}`))
		const runtime = workerds.find((p) => p !== proxy)
		if (!proxy || !runtime) throw new Error(`expected 2 workerd processes, found: ${workerds.map((p) => p.cmdline).join(' | ')}`)
		return { runtime: runtime.pid, proxy: proxy.pid }
	}
}

/**
 * Copies the files a worker is built from into `dest`, with node_modules linked. `wrangler dev` rebuilds
 * and restarts workerd whenever a source file changes (the CLI has no switch for it), which would drop
 * every room mid-run while the working tree is being edited; a snapshot also pins the code measured to the
 * moment the run started. `.dev.vars` is deliberately not copied: the worker runs without local secrets.
 */
export function snapshotProject(paths: readonly string[], dest: string): string {
	mkdirSync(dest, { recursive: true })
	for (const path of paths) cpSync(join(REPO_ROOT, path), join(dest, path), { recursive: true })
	symlinkSync(join(REPO_ROOT, 'node_modules'), join(dest, 'node_modules'), 'dir')
	return dest
}
