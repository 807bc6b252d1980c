/**
 * `node bench/checkpoint-steps.ts` — how long an export holds the room's thread at 10,000 shapes, on Node
 * with the room's real code: SQLiteSyncStorage on node:sqlite filled by pushes, then (a) the export before
 * history chains (JSON.stringify of the whole snapshot, then SHA-256 input encoding) and (b) a history
 * checkpoint built by buildCheckpoint, timing every synchronous step between two yields, and (c) a change
 * set after one move. Writes bench/CHECKPOINT.md.
 */
import { writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { DatabaseSync } from 'node:sqlite'
import { NodeSqliteWrapper, SQLiteSyncStorage } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { geoShape } from './clients/shapes.ts'
import { table } from './lib/markdown.ts'
import { summarize } from './lib/stats.ts'

if (process.argv.includes('--help')) {
	console.log('usage: node bench/checkpoint-steps.ts   (Node 22 first on PATH) — writes bench/CHECKPOINT.md')
	process.exit(0)
}

// src/ imports its modules without extensions (bundler style); let Node find the .ts files.
registerHooks({
	resolve(specifier, context, next) {
		try {
			return next(specifier, context)
		} catch (err) {
			if (specifier.startsWith('.') && !specifier.endsWith('.ts')) return next(`${specifier}.ts`, context)
			throw err
		}
	},
})
const { buildCheckpoint } = await import('../src/room/buildCheckpoint.ts')
const { changesJson } = await import('../src/room/historyFormat.ts')
const { readChangesSince, TL_TABLE_PREFIX } = await import('../src/room/readChanges.ts')

const SHAPES = 10_000
const SLICE = 500
const RUNS = 5

const sql = new NodeSqliteWrapper(new DatabaseSync(':memory:'), { tablePrefix: TL_TABLE_PREFIX })
const storage = new SQLiteSyncStorage<TLRecord>({ sql })
storage.transaction((txn) => {
	for (let i = 0; i < SHAPES; i++) {
		const shape = geoShape('page:page', `shape:s${i}`, i, i) as unknown as TLRecord
		txn.set(shape.id, shape)
	}
})

const encoder = new TextEncoder()
const before: number[] = []
const longestStep: number[] = []
const steps: number[] = []
const total: number[] = []
let checkpointBytes = 0
for (let run = 0; run < RUNS; run++) {
	let t = performance.now()
	const json = JSON.stringify(storage.getSnapshot())
	encoder.encode(json)
	before.push(performance.now() - t)

	const runSteps: number[] = []
	const started = performance.now()
	t = performance.now()
	const checkpoint = await buildCheckpoint(sql, SLICE, async () => {
		runSteps.push(performance.now() - t)
		await new Promise((r) => setTimeout(r, 0))
		t = performance.now()
	})
	runSteps.push(performance.now() - t)
	total.push(performance.now() - started)
	steps.push(...runSteps)
	longestStep.push(Math.max(...runSteps))
	checkpointBytes = checkpoint.body.size
}

const clock = storage.getClock()
storage.transaction((txn) => {
	const s = txn.get('shape:s7')!
	txn.set(s.id, { ...s, x: -7 } as TLRecord)
})
const changeTimes: number[] = []
let changeBytes = 0
for (let run = 0; run < RUNS; run++) {
	const t = performance.now()
	const changes = readChangesSince(sql, clock)
	changeBytes = encoder.encode(changesJson({ fromClock: clock, documentClock: changes.clock, puts: changes.puts, removes: changes.removes })).byteLength
	changeTimes.push(performance.now() - t)
}

const ms = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1))
const s = summarize(steps)!
const report = [
	'# Export steps at 10,000 shapes',
	'',
	`Produced by \`node bench/checkpoint-steps.ts\` on ${new Date().toISOString()} (Node ${process.version}, the machine shared with other work, so read the ratios). ${SHAPES.toLocaleString('en')} geo shapes in SQLiteSyncStorage on node:sqlite; ${RUNS} runs each. An export before history chains held the room's thread for the whole serialisation; a checkpoint now yields to the room's messages every ${SLICE} records, and an ordinary export is a change set.`,
	'',
	table(
		['export step', 'held the thread for (ms, median of runs)', 'max of runs'],
		[
			['before: `JSON.stringify(getSnapshot())` + encode, one step', ms(summarize(before)!.p50), ms(summarize(before)!.max)],
			[`checkpoint: longest step between two yields (${Math.ceil(SHAPES / SLICE)} slices)`, ms(summarize(longestStep)!.p50), ms(summarize(longestStep)!.max)],
			['checkpoint: every step, p50 / p99', `${ms(s.p50)} / ${ms(s.p99)}`, ms(s.max)],
			['checkpoint: first slice to last, with yields (wall)', ms(summarize(total)!.p50), ms(summarize(total)!.max)],
			['change set after one move (read changes + JSON + encode)', ms(summarize(changeTimes)!.p50), ms(summarize(changeTimes)!.max)],
		],
	),
	'',
	`Checkpoint size ${(checkpointBytes / 1024 / 1024).toFixed(2)} MiB; the change set ${changeBytes} bytes.`,
	'',
].join('\n')
writeFileSync(new URL('CHECKPOINT.md', import.meta.url), report)
console.log(report)
