/** Child processes in their own process groups, and what /proc says about them (Linux only). */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'

export interface GroupProcess {
	child: ChildProcess
	exited: Promise<void>
}

/** Groups still running, so an interrupted benchmark does not leave wrangler and workerd behind. */
const liveGroups = new Set<number>()

/** SIGKILLs every group this process started; safe to call from an `exit` handler. */
export function killAllGroupsNow() {
	for (const pid of liveGroups) signalGroup(pid, 'SIGKILL')
	liveGroups.clear()
}

/** Starts a command as the leader of a new process group, output appended to `logFile`. */
export function spawnGroup(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string }): GroupProcess {
	const log = createWriteStream(opts.logFile, { flags: 'a' })
	const child = spawn(command, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
	child.stdout?.pipe(log)
	child.stderr?.pipe(log)
	if (child.pid !== undefined) liveGroups.add(child.pid)
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
	return { child, exited }
}

/** SIGTERM to the whole group (wrangler's workerd children included), SIGKILL if it lingers. */
export async function killGroup(proc: GroupProcess, graceMs = 5_000): Promise<void> {
	const pid = proc.child.pid
	if (pid === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return
	signalGroup(pid, 'SIGTERM')
	const timedOut = await Promise.race([proc.exited.then(() => false), sleep(graceMs).then(() => true)])
	if (timedOut) signalGroup(pid, 'SIGKILL')
	await proc.exited
	// Grandchildren (workerd) may outlive the leader by a moment; give the group a last SIGKILL.
	await sleep(200)
	signalGroup(pid, 'SIGKILL')
	liveGroups.delete(pid)
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
	try {
		process.kill(-pid, signal)
	} catch {
		// the group is already gone
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms))
}

/** A free loopback TCP port (bound then released). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer()
		srv.once('error', reject)
		srv.listen(0, '127.0.0.1', () => {
			const port = (srv.address() as { port: number }).port
			srv.close(() => resolve(port))
		})
	})
}

/** Polls an HTTP URL until it answers 200. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
	const deadline = Date.now() + timeoutMs
	for (;;) {
		try {
			const res = await fetch(url, { signal: AbortSignal.timeout(2_000) })
			if (res.ok) return
		} catch {
			// not up yet
		}
		if (!isAlive()) throw new Error(`${url}: the process exited before it answered`)
		if (Date.now() > deadline) throw new Error(`${url}: not ready within ${timeoutMs} ms`)
		await sleep(200)
	}
}

/** Every descendant of `pid` with its command line. */
export function descendants(pid: number): Array<{ pid: number; cmdline: string }> {
	const parentOf = new Map<number, number>()
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
			// Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
			parentOf.set(Number(entry), ppid)
		} catch {
			// exited while we looked
		}
	}
	const result: Array<{ pid: number; cmdline: string }> = []
	const frontier = [pid]
	while (frontier.length > 0) {
		const parent = frontier.pop()!
		for (const [child, ppid] of parentOf) {
			if (ppid !== parent) continue
			frontier.push(child)
			try {
				result.push({ pid: child, cmdline: readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ') })
			} catch {
				// exited
			}
		}
	}
	return result
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8')
	const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
	if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`)
	return Number(kb) * 1024
}

/** User + system CPU time in ms (10 ms resolution: the kernel counts clock ticks of 1/100 s). */
export function cpuMs(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
	// After the command name: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
	return (Number(fields[11]) + Number(fields[12])) * 10
}
