/**
 * Webhooks bench: do webhooks slow a push? One busy room (10 clients, one writer moving a shape at a
 * fixed rate) under `wrangler dev`, with webhooks off and on (a local receiver answering 200, debounce
 * 1 s), alternating. Reports push → push_result (ack) and fan-out latency for both, and how many events
 * the receiver got. Writes bench/WEBHOOKS.md and bench/webhooks-results.json.
 *   node bench/webhooks.ts            (BENCH_QUICK=1 for a short run)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeAll, connectMoveClients } from './clients/moveClients.ts'
import { describeMachine } from './lib/machine.ts'
import { MoveTracker } from './lib/MoveTracker.ts'
import { killAllGroupsNow, sleep } from './lib/processes.ts'
import { summarize, type Summary } from './lib/stats.ts'
import { wranglerSystem } from './systems/BenchSystem.ts'
import { snapshotProject, WranglerDev } from './systems/WranglerDev.ts'

if (process.argv.includes('--help') || process.argv.includes('-h')) {
	console.log(`usage: node bench/webhooks.ts

Runs one busy room under wrangler dev with webhooks off and on (alternating, ROUNDS each) and compares
push acknowledgement and fan-out latency. Writes bench/WEBHOOKS.md and bench/webhooks-results.json.
Env: BENCH_QUICK=1 (1 round of 5 s), BENCH_OUT_DIR=dir.`)
	process.exit(0)
}

const REPO_ROOT = new URL('..', import.meta.url).pathname
const OUT_DIR = process.env.BENCH_OUT_DIR ?? join(REPO_ROOT, 'bench')
const QUICK = process.env.BENCH_QUICK === '1'
const CLIENTS = 10
const RATE_PER_SEC = 20
const DURATION_MS = QUICK ? 5_000 : 15_000
const ROUNDS = QUICK ? 1 : 2
const SECRET = 'whsec_' + Buffer.from('bench webhook secret, 32 bytes!').toString('base64')
/** sync-worker's per-session limits would stop the writer; raised as the main bench does. */
const VARS = { MAX_SESSIONS_PER_ROOM: '1000', MAX_PUSHES_PER_SECOND: '1000000', PUSH_BURST: '1000000' }
/** Run from a copy: `wrangler dev` restarts workerd (dropping every room) when the tree changes under it. */
const SOURCES = ['src', 'durable-objects', 'schema', 'wrangler.toml', 'package.json', 'tsconfig.json']

interface ModeResult {
	mode: 'off' | 'on'
	ack: Summary | null
	fanout: Summary | null
	lost: number
	events: number
	/** Sockets the server closed during the run (none expected). */
	serverCloses: string[]
}

async function runMode(mode: 'off' | 'on', receiverUrl: string, work: string, round: number, events: () => number): Promise<ModeResult> {
	const dev = new WranglerDev({
		projectDir: join(work, 'code'),
		configPath: 'wrangler.toml',
		persistTo: join(work, `state-${mode}-${round}`),
		logFile: join(work, `wrangler-${mode}-${round}.log`),
		healthPath: '/health',
		vars: mode === 'on' ? { ...VARS, WEBHOOK_URL: receiverUrl, WEBHOOK_SECRET: SECRET, WEBHOOK_DEBOUNCE_MS: '1000' } : VARS,
	})
	await dev.start()
	const eventsBefore = events()
	const clients = await connectMoveClients(wranglerSystem('sync-worker', dev), `busy-${mode}-${round}`, CLIENTS)
	try {
		const tracker = new MoveTracker(clients, 3_000)
		for (let i = 0; i < 20; i++) await tracker.move()
		tracker.ackMs.length = 0
		const pending: Array<Promise<number | null>> = []
		const start = performance.now()
		for (let now = start; now - start < DURATION_MS; now = performance.now()) {
			const due = Math.floor(((now - start) / 1000) * RATE_PER_SEC)
			while (pending.length < due) pending.push(tracker.move())
			await sleep(2)
		}
		const samples = await Promise.all(pending)
		const delivered = samples.filter((s): s is number => s !== null)
		await sleep(1_500) // the last debounced document.updated
		return { mode, ack: summarize(tracker.ackMs), fanout: summarize(delivered), lost: samples.length - delivered.length, events: events() - eventsBefore, serverCloses: tracker.serverCloses.map((c) => `client ${c.client}: ${c.code} ${c.reason}`) }
	} finally {
		closeAll(clients)
		await dev.stop()
	}
}

const loadAtStart = loadavg()[0]!

async function main() {
	let received = 0
	const server = createServer((req, res) => {
		req.resume()
		req.on('end', () => {
			received++
			res.writeHead(200).end()
		})
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
	const receiverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`
	const work = mkdtempSync(join(tmpdir(), 'sync-worker-bench-webhooks-'))
	snapshotProject(SOURCES.filter((p) => existsSync(join(REPO_ROOT, p))), join(work, 'code'))
	const runs: ModeResult[] = []
	try {
		for (let round = 0; round < ROUNDS; round++) {
			for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
				const r = await runMode(mode, receiverUrl, work, round, () => received)
				console.log(`[webhooks bench] round ${round + 1} ${mode}: ack p50 ${r.ack?.p50.toFixed(1)} p99 ${r.ack?.p99.toFixed(1)} ms, fan-out p99 ${r.fanout?.p99.toFixed(1)} ms, lost ${r.lost}, events ${r.events}${r.serverCloses.length ? `, closes: ${r.serverCloses.join('; ')}` : ''}`)
				runs.push(r)
			}
		}
	} finally {
		server.close()
		rmSync(work, { recursive: true, force: true })
	}
	writeReport(runs)
}

function writeReport(runs: ModeResult[]) {
	const m = describeMachine()
	const merged = (mode: 'off' | 'on') => {
		const rs = runs.filter((r) => r.mode === mode)
		return { rs, lost: rs.reduce((n, r) => n + r.lost, 0), events: rs.reduce((n, r) => n + r.events, 0) }
	}
	const f = (s: Summary | null, k: keyof Summary) => (s ? Number(s[k]).toFixed(1) : '—')
	const rows = runs.map((r, i) => `| ${i + 1} | ${r.mode} | ${f(r.ack, 'p50')} | ${f(r.ack, 'p95')} | ${f(r.ack, 'p99')} | ${f(r.fanout, 'p50')} | ${f(r.fanout, 'p99')} | ${r.ack?.n ?? 0} | ${r.lost} | ${r.events} |`)
	const med = (mode: 'off' | 'on', k: 'p50' | 'p99') => {
		const v = merged(mode).rs.map((r) => r.ack?.[k] ?? NaN)
		return v.reduce((a, b) => a + b, 0) / v.length
	}
	const md = `# Webhooks and push latency

Produced by \`node bench/webhooks.ts\`, ${new Date().toISOString()}, ${QUICK ? 'BENCH_QUICK' : 'full'} run.
Machine: ${m.nproc} cores, ${m.cpuModel}, node ${m.node}, workerd ${m.workerd}; 1-minute load average
${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (other work on the machine widens every figure).

One room, ${CLIENTS} clients, the writer moving a shape ${RATE_PER_SEC} times a second for ${DURATION_MS / 1000} s under
\`wrangler dev\`; webhooks off, then on (a local receiver answering 200, \`WEBHOOK_DEBOUNCE_MS=1000\`), alternating
over ${ROUNDS} round(s), each on a fresh worker. "ack" is the writer's push → its \`push_result\`; "fan-out" is the
push → the slowest other client having it. With webhooks on the room only marks itself dirty per push; the
debounced event, the queue and the delivery run off the push path.

| run | webhooks | ack p50 ms | ack p95 ms | ack p99 ms | fan-out p50 ms | fan-out p99 ms | pushes | lost | events received |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Mean over runs — ack p50: off ${med('off', 'p50').toFixed(1)} ms, on ${med('on', 'p50').toFixed(1)} ms; ack p99: off ${med('off', 'p99').toFixed(1)} ms, on ${med('on', 'p99').toFixed(1)} ms.
Compare the spread between the two "off" runs with the gap between off and on: on a shared machine the
first is the noise floor.
Events received with webhooks on: ${merged('on').events} (session.joined per client plus one document.updated per second of edits); with webhooks off: ${merged('off').events}.
`
	writeFileSync(join(OUT_DIR, 'WEBHOOKS.md'), md)
	writeFileSync(join(OUT_DIR, 'webhooks-results.json'), JSON.stringify({ date: new Date().toISOString(), quick: QUICK, runs }, null, 2) + '\n')
	console.log(md)
}

// Never leave a wrangler dev behind, whatever ends this process.
process.on('exit', killAllGroupsNow)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		killAllGroupsNow()
		process.exit(130)
	})
}
main().catch((err) => {
	console.error('webhooks bench failed:', err)
	process.exit(1)
})
