/**
 * Scenario 3 — join time: a new client's connect request until the whole full-sync `connect` message has
 * arrived, for rooms of 100, 1,000 and 10,000 shapes. Warm = the room is loaded and another client is in it;
 * rejoin = the room's only client left just before (sync-worker exports on the last session leaving);
 * cold = the server process was restarted on the same storage, so the room loads from disk on this join.
 */
import { populateRoom } from '../clients/populateRoom.ts'
import { TldrawProtocolClient, type JoinTiming } from '../clients/tldrawProtocolClient.ts'
import type { BenchContext } from '../lib/BenchContext.ts'
import { bytes, latencyCells, LATENCY_HEADERS, ms, ratioTable, table, type Ratios } from '../lib/markdown.ts'
import { sleep } from '../lib/processes.ts'
import { ratio, summarize, type Summary } from '../lib/stats.ts'
import type { BenchSystem, SystemName } from '../systems/BenchSystem.ts'

export const JOIN_ROOM_SIZES = [100, 1_000, 10_000]

export function joinRoomId(ctx: BenchContext, shapes: number): string {
	return ctx.roomId(`join-${shapes}`)
}

export type JoinMode = 'warm' | 'rejoin' | 'cold'
const MODE_ORDER: JoinMode[] = ['warm', 'rejoin', 'cold']
/** How long after the last client left the rejoin comes: time for sync-worker's alarm to start. */
const REJOIN_AFTER_MS = 200

export interface JoinRun {
	system: SystemName
	shapes: number
	mode: JoinMode
	fullSync: Summary | null
	open: Summary | null
	connectBytes: number
}

let sessionCounter = 0

async function timeJoin(system: BenchSystem, roomId: string, expectedShapes: number): Promise<JoinTiming> {
	const { client, connect, timing } = await TldrawProtocolClient.join(system.roomUrl(roomId, `join-${++sessionCounter}`), 60_000)
	client.close()
	const shapes = Object.keys(connect.diff).filter((id) => id.startsWith('shape:')).length
	if (connect.hydrationType !== 'wipe_all' || shapes !== expectedShapes) {
		throw new Error(`${system.name} ${roomId}: expected a full sync of ${expectedShapes} shapes, got ${connect.hydrationType} with ${shapes}`)
	}
	return timing
}

function toRun(system: SystemName, shapes: number, mode: JoinMode, timings: JoinTiming[]): JoinRun {
	return {
		system,
		shapes,
		mode,
		fullSync: summarize(timings.map((t) => t.fullSyncMs)),
		open: summarize(timings.map((t) => t.openMs)),
		connectBytes: timings[0]?.connectBytes ?? 0,
	}
}

export interface JoinResult {
	warmJoins: number
	coldRestarts: number
	runs: JoinRun[]
	ratios: Ratios
}

export async function runJoinTime(ctx: BenchContext): Promise<JoinResult> {
	const warmJoins = ctx.quick ? 2 : 8
	const coldRestarts = ctx.quick ? 1 : 5
	const runs: JoinRun[] = []
	const primer = ctx.roomId('join-primer')
	for (const system of [ctx.syncWorker, ctx.baseline, ctx.baselineSqlite]) {
		ctx.log(`join: populating rooms on ${system.name}`)
		for (const shapes of JOIN_ROOM_SIZES) await populateRoom(system.roomUrl(joinRoomId(ctx, shapes), 'populate'), shapes)
		await populateRoom(system.roomUrl(primer, 'populate'), 0)
		for (const shapes of JOIN_ROOM_SIZES) {
			const roomId = joinRoomId(ctx, shapes)
			const anchor = await TldrawProtocolClient.join(system.roomUrl(roomId, `anchor-${roomId}`), 60_000)
			const warm: JoinTiming[] = []
			try {
				for (let i = 0; i < warmJoins; i++) warm.push(await timeJoin(system, roomId, shapes))
			} finally {
				anchor.client.close()
			}
			runs.push(toRun(system.name, shapes, 'warm', warm))
			const rejoin: JoinTiming[] = []
			for (let i = 0; i < warmJoins; i++) {
				await sleep(REJOIN_AFTER_MS)
				rejoin.push(await timeJoin(system, roomId, shapes))
			}
			runs.push(toRun(system.name, shapes, 'rejoin', rejoin))
		}
	}
	for (const system of [ctx.syncWorker, ctx.baselineSqlite]) {
		const timings = new Map<number, JoinTiming[]>(JOIN_ROOM_SIZES.map((s) => [s, []]))
		for (let r = 0; r < coldRestarts; r++) {
			ctx.log(`join: cold start ${r + 1}/${coldRestarts} of ${system.name}`)
			await system.restart()
			// The first room after a start also pays one-time runtime set-up; a throwaway room absorbs it.
			await timeJoin(system, primer, 0)
			for (const shapes of JOIN_ROOM_SIZES) timings.get(shapes)!.push(await timeJoin(system, joinRoomId(ctx, shapes), shapes))
		}
		for (const shapes of JOIN_ROOM_SIZES) runs.push(toRun(system.name, shapes, 'cold', timings.get(shapes)!))
	}
	const p50 = (system: SystemName, shapes: number, mode: JoinMode) =>
		runs.find((r) => r.system === system && r.shapes === shapes && r.mode === mode)?.fullSync?.p50
	const ratios: Ratios = {}
	for (const shapes of JOIN_ROOM_SIZES) {
		ratios[`join.s${shapes}.warm.p50.sync-worker/baseline`] = ratio(p50('sync-worker', shapes, 'warm'), p50('baseline', shapes, 'warm'))
		ratios[`join.s${shapes}.rejoin.p50.sync-worker/baseline`] = ratio(p50('sync-worker', shapes, 'rejoin'), p50('baseline', shapes, 'rejoin'))
		ratios[`join.s${shapes}.cold.p50.sync-worker/baseline-sqlite`] = ratio(p50('sync-worker', shapes, 'cold'), p50('baseline-sqlite', shapes, 'cold'))
	}
	return { warmJoins, coldRestarts, runs, ratios }
}

export function renderJoinTime(result: JoinResult, previous: Ratios | null): string {
	return [
		'## 3. Join time',
		'',
		`Time from opening the WebSocket to the complete \`connect\` message (full sync, \`lastServerClock: -1\`), before the client parses it; "open" is the WebSocket upgrade alone. Warm: ${result.warmJoins} joins per room while the room is loaded and another client stays in it. Rejoin: ${result.warmJoins} joins, each ${REJOIN_AFTER_MS} ms after the room's only client left (sync-worker schedules an export when the last session leaves; this mode shows whether a join right after pays for it). Cold: ${result.coldRestarts} restarts of the server process on the same storage (\`wrangler dev\` with the same \`--persist-to\`; the Node server with the same SQLite files), then one join per room after a throwaway join to another room (so runtime start-up is not counted). The in-memory baseline has no cold state. limit: not applicable (no document).`,
		'',
		table(
			['shapes', 'mode', 'system', ...LATENCY_HEADERS.map((h) => `full sync ${h}`), 'open p50 ms', 'connect message'],
			[...result.runs]
				.sort((a, b) => a.shapes - b.shapes || MODE_ORDER.indexOf(a.mode) - MODE_ORDER.indexOf(b.mode))
				.map((r) => [r.shapes, r.mode, r.system, ...latencyCells(r.fullSync), ms(r.open?.p50), bytes(r.connectBytes)]),
		),
		'',
		ratioTable(
			Object.keys(result.ratios).map((key) => {
				const [, size, mode, p, pair] = key.split('.')
				return { key, label: `${pair} ${p}, ${size!.slice(1)} shapes, ${mode}` }
			}),
			result.ratios,
			previous,
		),
	].join('\n')
}
