/** The machine and software a run measured, for the report header. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'

const REPO_ROOT = new URL('../..', import.meta.url).pathname

export interface MachineInfo {
	nproc: number
	cpuModel: string
	memoryBytes: number
	node: string
	workerd: string
	wrangler: string
	syncCore: string
	gitCommit: string
	/** 1-minute load average when the run started: other work on the machine skews every figure. */
	loadAverageAtStart: number
}

function run(cmd: string, args: string[]): string {
	try {
		return execFileSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
	} catch {
		return 'unknown'
	}
}

function packageVersion(path: string): string {
	try {
		return (JSON.parse(readFileSync(REPO_ROOT + path, 'utf8')) as { version: string }).version
	} catch {
		return 'unknown'
	}
}

export function describeMachine(): MachineInfo {
	const workerdBin = REPO_ROOT + 'node_modules/wrangler/node_modules/workerd/bin/workerd'
	const dirty = run('git', ['status', '--porcelain']) !== ''
	return {
		nproc: availableParallelism(),
		cpuModel: cpus()[0]?.model ?? 'unknown',
		memoryBytes: totalmem(),
		node: process.version,
		workerd: `${run(workerdBin, ['--version'])} (npm workerd ${packageVersion('node_modules/wrangler/node_modules/workerd/package.json')})`,
		wrangler: packageVersion('node_modules/wrangler/package.json'),
		syncCore: packageVersion('node_modules/@tldraw/sync-core/package.json'),
		gitCommit: `${run('git', ['rev-parse', '--short', 'HEAD'])}${dirty ? ' (working tree has uncommitted changes)' : ''}`,
		loadAverageAtStart: loadavg()[0] ?? 0,
	}
}
