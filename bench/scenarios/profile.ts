/**
 * Scenario 7 — CPU profile of a room under the throughput load: the V8 sampling profiler of sync-worker's
 * isolate, reached through `wrangler dev`'s inspector (Chrome DevTools protocol), while one client of ten
 * pushes moves at a fixed rate. Self time is summed per function and attributed to sync-worker's own code,
 * @tldraw packages, or the runtime.
 */
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { closeAll, connectMoveClients } from '../clients/moveClients.ts'
import type { BenchContext } from '../lib/BenchContext.ts'
import type { BenchSystem } from '../systems/BenchSystem.ts'
import { table } from '../lib/markdown.ts'
import { sleep } from '../lib/processes.ts'

const CLIENTS = 10
const RATE_PER_SEC = 200
const PROFILE_MS = 10_000
const SAMPLING_INTERVAL_US = 200
const TOP = 25

export interface ProfiledFunction {
	name: string
	where: string
	owner: 'sync-worker' | 'tldraw' | 'runtime' | 'other'
	selfMs: number
	selfPercent: number
}

export interface ProfileResult {
	/** The system profiled: sync-worker, or limit-durable for comparison (same load, same runtime). */
	system: string
	/** Messages the profiled client sent during the profile (for per-message costs). */
	messages: number
	ratePerSec: number
	clients: number
	profiledMs: number
	/** Sampled time spent in JS (not idle, not GC/program). */
	busyMs: number
	byOwner: Record<ProfiledFunction['owner'], number>
	top: ProfiledFunction[]
}

interface CpuProfileNode {
	id: number
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
	hitCount?: number
}
interface CpuProfile {
	nodes: CpuProfileNode[]
	startTime: number
	endTime: number
	samples: number[]
	timeDeltas: number[]
}

/** A minimal Chrome DevTools protocol session. */
async function devtools(inspectorPort: number) {
	const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Array<{ webSocketDebuggerUrl: string; title?: string }>
	const target = targets[0]
	if (!target) throw new Error('wrangler dev exposes no inspector target')
	const ws = new WebSocket(target.webSocketDebuggerUrl)
	await new Promise((resolve, reject) => {
		ws.once('open', resolve)
		ws.once('error', reject)
	})
	let nextId = 1
	const pending = new Map<number, (v: unknown) => void>()
	ws.on('message', (data) => {
		const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown }
		if (msg.id !== undefined) pending.get(msg.id)?.(msg.error ? Promise.reject(new Error(JSON.stringify(msg.error))) : msg.result)
	})
	return {
		send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
			const id = nextId++
			ws.send(JSON.stringify({ id, method, params }))
			return new Promise<T>((resolve) => pending.set(id, resolve as (v: unknown) => void))
		},
		close: () => ws.close(),
	}
}

function ownerOf(url: string, name: string): ProfiledFunction['owner'] {
	if (url.includes('@tldraw/')) return 'tldraw'
	if (/(^|\/)(src|durable-objects|schema)\//.test(url) && !url.includes('node_modules')) return 'sync-worker'
	if (url === '' || name.startsWith('(')) return 'runtime'
	return 'other'
}

/**
 * Maps a position in wrangler's bundle back to its source file (the bundle's `.map` beside it), so self time
 * is attributed to src/, durable-objects/ or a package; positions outside a bundle keep their own URL.
 */
function sourceMaps(bundleMap: string | null) {
	const maps = new Map<string, SourceMap | null>()
	return (url: string, line: number, column: number): string => {
		if (!maps.has(url)) {
			// workerd names wrangler's bundle by its file name alone.
			const mapPath = url.startsWith('file://') ? fileURLToPath(url) + '.map' : url.endsWith('worker.js') ? bundleMap : null
			maps.set(url, mapPath && existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))) : null)
		}
		const entry = maps.get(url)?.findEntry(line, column)
		return entry && 'originalSource' in entry && entry.originalSource ? `${entry.originalSource}:${entry.originalLine + 1}` : url
	}
}

/** Self time per function (summed over every node of the same function), largest first. */
export function selfTimes(profile: CpuProfile, resolve: (url: string, line: number, column: number) => string): { busyMs: number; functions: ProfiledFunction[] } {
	const nodeById = new Map(profile.nodes.map((n) => [n.id, n]))
	const selfUs = new Map<number, number>()
	profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
	const byFunction = new Map<string, ProfiledFunction>()
	let busyUs = 0
	for (const [id, us] of selfUs) {
		const { functionName, url, lineNumber, columnNumber } = nodeById.get(id)!.callFrame
		if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)') continue
		busyUs += us
		const name = functionName || '(anonymous)'
		const source = url ? resolve(url, lineNumber, columnNumber) : ''
		const where = source.replace(/^.*?(node_modules\/|src\/|durable-objects\/|schema\/)/, '$1')
		const key = `${name}@${where}`
		const entry = byFunction.get(key) ?? { name, where, owner: ownerOf(source, name), selfMs: 0, selfPercent: 0 }
		entry.selfMs += us / 1000
		byFunction.set(key, entry)
	}
	const functions = [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs)
	for (const f of functions) f.selfPercent = busyUs === 0 ? 0 : (f.selfMs * 100_000) / busyUs
	return { busyMs: busyUs / 1000, functions }
}

export async function runProfile(ctx: BenchContext, system: BenchSystem, worker: { inspectorPort: number; bundleSourceMapPath(): string | null }): Promise<ProfileResult> {
	const movers = await connectMoveClients(system, ctx.roomId(`profile-${system.name}`), CLIENTS)
	const session = await devtools(worker.inspectorPort)
	try {
		ctx.log(`profile: ${system.name}, ${CLIENTS} clients, ${RATE_PER_SEC} moves/s for ${PROFILE_MS / 1000} s`)
		await session.send('Profiler.enable')
		await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US })
		await session.send('Profiler.start')
		const started = performance.now()
		const firstX = Math.floor(Math.random() * 1e9)
		let sent = 0
		while (performance.now() - started < PROFILE_MS) {
			const due = Math.floor(((performance.now() - started) / 1000) * RATE_PER_SEC)
			for (; sent < due; sent++) movers[0]!.sendMove(firstX + sent)
			await sleep(10)
		}
		const { profile } = await session.send<{ profile: CpuProfile }>('Profiler.stop')
		const { busyMs, functions } = selfTimes(profile, sourceMaps(worker.bundleSourceMapPath()))
		const byOwner = { 'sync-worker': 0, tldraw: 0, runtime: 0, other: 0 }
		for (const f of functions) byOwner[f.owner] += f.selfMs
		return { system: system.name, messages: sent, ratePerSec: RATE_PER_SEC, clients: CLIENTS, profiledMs: (profile.endTime - profile.startTime) / 1000, busyMs, byOwner, top: functions.slice(0, TOP) }
	} finally {
		session.close()
		closeAll(movers)
	}
}

export function renderProfile(result: ProfileResult, comparison?: ProfileResult): string {
	return [
		'## 7. CPU profile of a room',
		'',
		describeProfile(result),
		'',
		profileTable(result, TOP),
		...(comparison
			? [
					'',
					`The same load on \`limit-durable\` (its own \`wrangler dev\`, same workerd): ${describeProfile(comparison)}`,
					'',
					profileTable(comparison, 10),
				]
			: []),
		'',
		howToRead(result, comparison),
	].join('\n')
}

function describeProfile(result: ProfileResult): string {
	const pct = (ms: number) => `${((ms * 100) / Math.max(result.busyMs, 1e-9)).toFixed(1)}%`
	return `V8's sampling profiler (every ${SAMPLING_INTERVAL_US} µs) on ${result.system}'s isolate through \`wrangler dev\`'s inspector, while client 0 of ${result.clients} in one room pushed ${result.ratePerSec} moves/s for ${(result.profiledMs / 1000).toFixed(1)} s (${result.messages} moves). JS was busy ${result.busyMs.toFixed(0)} ms of it (${((result.busyMs * 100) / result.profiledMs).toFixed(0)}%, ${perMessage(result, result.busyMs)} µs per move). Self time by owner: sync-worker's code ${pct(result.byOwner['sync-worker'])}, @tldraw packages ${pct(result.byOwner.tldraw)}, runtime/native ${pct(result.byOwner.runtime)}, other bundled code ${pct(result.byOwner.other)}.`
}

/** Native SQLite entry points of a Durable Object (`ctx.storage.sql` and `transactionSync`), as the profiler names them. */
const SQLITE_CALLS = new Set(['exec', 'one', 'toArray', 'raw', 'next', 'transactionSync'])

/** Our functions that only run one small statement: V8 inlines the native call, so their self time is that statement's. */
const ONE_STATEMENT = /^src\/room\/DocumentSizeMeter\.ts:/

function sqliteMs(result: ProfileResult): number {
	const isSqlite = (f: ProfiledFunction) => (f.owner === 'runtime' && SQLITE_CALLS.has(f.name)) || ONE_STATEMENT.test(f.where)
	return result.top.filter(isSqlite).reduce((sum, f) => sum + f.selfMs, 0)
}

function howToRead(result: ProfileResult, comparison?: ProfileResult): string {
	const sqlite = (r: ProfileResult) => `${perMessage(r, sqliteMs(r))} µs per move in ${r.system}`
	return [
		'How to read these: the profiler slows the isolate (compare "JS busy" with the server CPU of scenario 2 at the same rate), so read shares and the comparison, not absolute costs.',
		'A sampled native call (SQLite, a socket send) counts as self time of the JavaScript function that made it, and a function V8 inlined counts under its caller:',
		'so the SQLite time of a small statement can show under `DocumentSizeMeter.fits` or `bytes`, as it showed under `SQLiteSyncStorage.getClock` before the room answered that query from memory.',
		`Native SQLite calls (${[...SQLITE_CALLS].map((n) => `\`${n}\``).join(', ')}, and DocumentSizeMeter's one-statement functions) in the top functions: ${sqlite(result)}${comparison ? ` against ${sqlite(comparison)}, which runs one INSERT per message` : ''}.`,
	].join(' ')
}

const perMessage = (result: ProfileResult, ms: number) => ((ms * 1000) / Math.max(result.messages, 1)).toFixed(0)

function profileTable(result: ProfileResult, rows: number): string {
	return table(
		['function', 'where', 'owner', 'self ms', 'self %', 'µs per move'],
		result.top.slice(0, rows).map((f) => [f.name, f.where, f.owner, f.selfMs.toFixed(1), `${f.selfPercent.toFixed(1)}%`, perMessage(result, f.selfMs)]),
	)
}
