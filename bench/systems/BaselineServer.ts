/** bench/baseline-server.ts as a child process, restartable on the same SQLite directory. */
import { join } from 'node:path'
import { freePort, killGroup, spawnGroup, waitForHttp, type GroupProcess } from '../lib/processes.ts'

const REPO_ROOT = new URL('../..', import.meta.url).pathname

export interface BaselineStats {
	rss: number
	heapUsed: number
	external: number
	arrayBuffers: number
	rooms: number
	sessions: number
	openSockets: number
}

export class BaselineServer {
	private proc: GroupProcess | null = null
	port = 0

	private readonly opts: { storage: 'memory' | 'sqlite'; dir: string; logFile: string }

	constructor(opts: { storage: 'memory' | 'sqlite'; dir: string; logFile: string }) {
		this.opts = opts
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`
	}

	get pid(): number {
		const pid = this.proc?.child.pid
		if (pid === undefined) throw new Error('baseline server is not running')
		return pid
	}

	async start(): Promise<void> {
		this.port = await freePort()
		this.proc = spawnGroup(
			process.execPath,
			// --expose-gc lets /stats collect garbage before it reports heap use.
			['--expose-gc', '--no-warnings', join(REPO_ROOT, 'bench/baseline-server.ts'), '--port', String(this.port), '--storage', this.opts.storage, '--dir', this.opts.dir],
			{ cwd: REPO_ROOT, logFile: this.opts.logFile },
		)
		const proc = this.proc
		await waitForHttp(this.baseUrl + '/health', 30_000, () => proc.child.exitCode === null)
	}

	async stop(): Promise<void> {
		if (this.proc) await killGroup(this.proc)
		this.proc = null
	}

	async restart(): Promise<void> {
		await this.stop()
		await this.start()
	}

	async stats(): Promise<BaselineStats> {
		const res = await fetch(this.baseUrl + '/stats')
		return (await res.json()) as BaselineStats
	}
}
