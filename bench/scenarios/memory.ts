/**
 * Scenario 5 — memory: resident memory per idle room and per connected session, read from /proc before and
 * after opening them; then whether idle rooms with open sessions hibernate, and what waking costs.
 */
import { RawIdleRoom, TldrawIdleRoom } from '../clients/idleRoomProbes.ts'
import { closeAll, connectMoveClients, type MoveClient } from '../clients/moveClients.ts'
import type { BenchContext } from '../lib/BenchContext.ts'
import { bytes, latencyCells, LATENCY_HEADERS, ms, table } from '../lib/markdown.ts'
import { MoveTracker } from '../lib/MoveTracker.ts'
import { rssBytes, sleep } from '../lib/processes.ts'
import { summarize, type Summary } from '../lib/stats.ts'
import { readWranglerVar } from '../lib/wranglerVars.ts'
import type { BenchSystem, SystemName } from '../systems/BenchSystem.ts'

const SETTLE_MS = 1_500
const WARM_MOVES = 20
/**
 * The reference push in each room comes this long after the room's export alarm was due (its last change
 * armed it PERSIST_INTERVAL_MS ahead): the alarm has fired, so the push re-arms it exactly as the push after
 * the idle period will, and the room has been quiet only seconds, far too short to hibernate.
 */
const AFTER_ALARM_MS = 3_000

export interface MemoryRun {
	system: SystemName
	rooms: number
	sessions: number
	/** RSS of the process holding the rooms (workerd runtime / Node baseline). */
	rssPerRoom: number
	rssPerSession: number
	/** JS heap after a full GC (Node baseline only: RSS there moves in large steps). */
	heapPerRoom: number | null
	heapPerSession: number | null
	/** wrangler dev's proxy workerd also holds every socket; null for the Node baseline. */
	proxyRssPerSession: number | null
	rssBeforeIdle: number
	rssAfterIdle: number
	/** Rooms probed for whether their in-memory state survived the idle period, and how many lost it (0 probed: not a Durable Object). */
	probedRooms: number
	roomsReplaced: number
	/** The same probe with its halves 1 s apart, before idling: must keep every room, or the probe is broken. */
	controlKept: number | null
	/** Push → push_result in the other half of the rooms (tldraw systems): a few seconds after the export alarm, and after the idle period. */
	ackAfterAlarm: Summary | null
	ackAfterIdle: Summary | null
	warmMoveP50Ms: number | null
	firstMoveAfterIdleMs: number | null
	/** Sockets the server closed during the idle period. */
	socketsClosedWhileIdle: number
	/** From this system's last message before idling to its first after (systems are prepared in turn, so it varies). */
	idleMs: number
}

type IdleRoom = TldrawIdleRoom | RawIdleRoom

interface Held {
	system: BenchSystem
	rooms: IdleRoom[]
	/** Raw rooms: instance ids before idling. */
	instanceIds: string[]
	sessionClients: MoveClient[]
	tracker: MoveTracker
	/** performance.now() of the last message sent before idling. */
	quietSince: number
	partial: Omit<MemoryRun, 'rssAfterIdle' | 'roomsReplaced' | 'ackAfterIdle' | 'firstMoveAfterIdleMs' | 'socketsClosedWhileIdle' | 'idleMs'>
}

interface MemoryReading {
	rss: number
	heap: number | null
}

async function settledRss(system: BenchSystem, pid: number): Promise<number> {
	return (await settledReading(system, pid)).rss
}

async function settledReading(system: BenchSystem, pid: number): Promise<MemoryReading> {
	await sleep(SETTLE_MS)
	const heap = await system.heapUsedBytes()
	await system.collectGarbage()
	return { rss: rssBytes(pid), heap }
}

/** Growth per item between two readings. */
function perItem(before: MemoryReading, after: MemoryReading, items: number) {
	return {
		rss: (after.rss - before.rss) / items,
		heap: before.heap === null || after.heap === null ? null : (after.heap - before.heap) / items,
	}
}

function proxyPid(system: BenchSystem): number | null {
	return system.serverPids().find((pid) => pid !== system.roomsPid()) ?? null
}

/** tldraw rooms alternate: even ones measure wake-up latency, odd ones carry the split-push probe. */
const isProbeRoom = (_: unknown, i: number) => i % 2 === 1
const isAckRoom = (_: unknown, i: number) => i % 2 === 0

async function ackEach(rooms: TldrawIdleRoom[], notBefore: number[] = []): Promise<Summary | null> {
	const samples: number[] = []
	for (const [i, room] of rooms.entries()) {
		const wait = (notBefore[i] ?? 0) - performance.now()
		if (wait > 0) await sleep(wait)
		const ms = await room.ack()
		if (ms !== null) samples.push(ms)
	}
	return summarize(samples)
}

const WARM_UP_ROOMS = 5
const WARM_UP_SESSIONS = 10

/** Opens and closes a few rooms and sessions, so one-time costs of a fresh process (code compilation, pools) are not counted per room. */
async function warmUp(ctx: BenchContext, system: BenchSystem) {
	const clients: MoveClient[] = []
	for (let i = 0; i < WARM_UP_ROOMS; i++) clients.push(...(await connectMoveClients(system, ctx.roomId(`memory-${system.name}-warmup-${i}`), 1)))
	clients.push(...(await connectMoveClients(system, ctx.roomId(`memory-${system.name}-warmup-sessions`), WARM_UP_SESSIONS)))
	closeAll(clients)
}

async function prepare(ctx: BenchContext, system: BenchSystem, roomCount: number, sessions: number): Promise<Held> {
	const pid = system.roomsPid()
	const proxy = proxyPid(system)
	await warmUp(ctx, system)
	ctx.log(`memory: ${system.name}, ${roomCount} rooms with one session each`)
	const m0 = await settledReading(system, pid)
	const rooms: IdleRoom[] = []
	/** When each room last changed: that armed sync-worker's export alarm. */
	const changedAt: number[] = []
	for (let i = 0; i < roomCount; i++) {
		const roomId = ctx.roomId(`memory-${system.name}-room-${i}`)
		rooms.push(await (system.protocol === 'tldraw' ? TldrawIdleRoom.open(system, roomId) : RawIdleRoom.open(system, roomId)))
		changedAt.push(performance.now())
	}
	const m1 = await settledReading(system, pid)

	ctx.log(`memory: ${system.name}, one room with ${sessions} sessions`)
	const sessionRoom = ctx.roomId(`memory-${system.name}-sessions`)
	const sessionClients = await connectMoveClients(system, sessionRoom, 1)
	const m2 = await settledReading(system, pid)
	const proxy2 = proxy === null ? 0 : rssBytes(proxy)
	sessionClients.push(...(await connectMoveClients(system, sessionRoom, sessions - 1)))
	const m3 = await settledReading(system, pid)
	const proxy3 = proxy === null ? 0 : rssBytes(proxy)
	const perRoom = perItem(m0, m1, roomCount)
	const perSession = perItem(m2, m3, sessions - 1)

	const tracker = new MoveTracker(sessionClients, 5_000)
	const warm: number[] = []
	for (let i = 0; i < WARM_MOVES; i++) {
		const l = await tracker.move()
		if (l !== null) warm.push(l)
		await sleep(25)
	}

	let ackAfterAlarm: Summary | null = null
	let controlKept: number | null = null
	let instanceIds: string[] = []
	if (system.protocol === 'tldraw') {
		const tldrawRooms = rooms as TldrawIdleRoom[]
		const persistIntervalMs = Number(readWranglerVar('PERSIST_INTERVAL_MS'))
		const due = changedAt.map((t) => t + persistIntervalMs + AFTER_ALARM_MS)
		ackAfterAlarm = await ackEach(tldrawRooms.filter(isAckRoom), due.filter(isAckRoom))
		// Node rooms are not probed: the 5 s keep-alive pings reach TLSocketRoom there (a Durable Object
		// answers them without waking) and a ping between the two halves breaks the chunked push.
		if (system.canHibernate) {
			const probes = tldrawRooms.filter(isProbeRoom)
			for (const room of probes) room.beginSplitPush()
			await sleep(1_000)
			controlKept = (await Promise.all(probes.map((r) => r.finishSplitPush()))).filter((o) => o === 'kept').length
			for (const room of probes) room.beginSplitPush()
		}
	} else {
		instanceIds = await Promise.all((rooms as RawIdleRoom[]).map((r) => r.instanceId()))
	}
	const quietSince = performance.now()
	return {
		system,
		rooms,
		instanceIds,
		sessionClients,
		tracker,
		quietSince,
		partial: {
			system: system.name,
			rooms: roomCount,
			sessions,
			rssPerRoom: perRoom.rss,
			rssPerSession: perSession.rss,
			heapPerRoom: perRoom.heap,
			heapPerSession: perSession.heap,
			proxyRssPerSession: proxy === null ? null : (proxy3 - proxy2) / (sessions - 1),
			rssBeforeIdle: await settledRss(system, pid),
			probedRooms: !system.canHibernate ? 0 : system.protocol === 'tldraw' ? rooms.filter(isProbeRoom).length : rooms.length,
			controlKept,
			ackAfterAlarm,
			warmMoveP50Ms: summarize(warm)?.p50 ?? null,
		},
	}
}

async function wake(held: Held): Promise<MemoryRun> {
	const idleMs = performance.now() - held.quietSince
	const rssAfterIdle = rssBytes(held.system.roomsPid())
	const socketsClosedWhileIdle =
		held.rooms.filter((r) => r.closedByServer).length + held.tracker.serverCloses.length
	const firstMoveAfterIdleMs = await held.tracker.move()
	let ackAfterIdle: Summary | null = null
	let roomsReplaced = 0
	if (held.system.protocol === 'tldraw') {
		const tldrawRooms = held.rooms as TldrawIdleRoom[]
		ackAfterIdle = await ackEach(tldrawRooms.filter(isAckRoom))
		if (held.system.canHibernate) {
			const outcomes = await Promise.all(tldrawRooms.filter(isProbeRoom).map((r) => r.finishSplitPush()))
			roomsReplaced = outcomes.filter((o) => o === 'lost').length
		}
	} else {
		const after = await Promise.all((held.rooms as RawIdleRoom[]).map((r) => r.instanceId()))
		roomsReplaced = after.filter((id, i) => id !== held.instanceIds[i]).length
	}
	return { ...held.partial, rssAfterIdle, roomsReplaced, ackAfterIdle, firstMoveAfterIdleMs, socketsClosedWhileIdle, idleMs }
}

export interface MemoryResult {
	idleMs: number
	runs: MemoryRun[]
}

export async function runMemory(ctx: BenchContext): Promise<MemoryResult> {
	const roomCount = ctx.quick ? 10 : 50
	const sessions = ctx.quick ? 20 : 100
	// The reference pushes re-armed the export alarm: the idle period must cover that alarm
	// (PERSIST_INTERVAL_MS) plus workerd's ~10 s of inactivity before it hibernates an object.
	const idleMs = ctx.quick ? 5_000 : 35_000
	const systems = [ctx.syncWorker, ctx.baseline, ctx.limit]
	// Fresh processes: sessions closed by earlier scenarios are still being released (tldraw keeps a closed
	// session for a few seconds), which would make memory shrink while rooms are being added.
	ctx.log('memory: restarting the systems')
	await Promise.all(systems.map((s) => s.restart()))
	const held: Held[] = []
	try {
		for (const system of systems) held.push(await prepare(ctx, system, roomCount, sessions))
		ctx.log(`memory: all systems idle for ${idleMs / 1000} s (clients keep pinging every 5 s)`)
		await sleep(idleMs)
		const runs: MemoryRun[] = []
		for (const h of held) runs.push(await wake(h))
		return { idleMs, runs }
	} finally {
		for (const h of held) {
			for (const r of h.rooms) r.close()
			closeAll(h.sessionClients)
		}
		await sleep(500)
	}
}

/** A per-item RSS delta; a negative one means the growth was below the process's own fluctuation. */
function rssDelta(v: number): string {
	return v < 0 ? `below noise (${bytes(v)})` : bytes(v)
}

export function renderMemory(result: MemoryResult): string {
	const r0 = result.runs[0]
	return [
		'## 5. Memory and hibernation',
		'',
		`Each system is restarted first, then warmed up with ${WARM_UP_ROOMS} rooms and a ${WARM_UP_SESSIONS}-session room that are closed again. Resident set size (VmRSS from /proc) of the process that holds the rooms — the runtime workerd of \`wrangler dev\` (not its proxy), or the Node baseline after a forced GC — read ${SETTLE_MS / 1000} s after opening ${r0?.rooms ?? '?'} rooms with one session each (one shape each for tldraw), then ${r0?.sessions ?? '?'} sessions in one room. Per-room figures include the room's one session. RSS deltas this small are noisy (allocator arenas, JIT, GC timing): read them as orders of magnitude. For the Node baseline, whose RSS moves in large steps, the JS heap after a forced GC (\`process.memoryUsage().heapUsed\`) is given too; workerd offers no such reading from outside.`,
		'',
		table(
			['system', 'RSS per room (1 session)', 'RSS per extra session', 'proxy workerd RSS per session', 'JS heap per room', 'JS heap per extra session'],
			result.runs.map((r) => [
				r.system,
				rssDelta(r.rssPerRoom),
				rssDelta(r.rssPerSession),
				r.proxyRssPerSession === null ? 'n/a' : rssDelta(r.proxyRssPerSession),
				r.heapPerRoom === null ? 'n/a' : rssDelta(r.heapPerRoom),
				r.heapPerSession === null ? 'n/a' : rssDelta(r.heapPerSession),
			]),
		),
		'',
		`Hibernation: then every room sat idle with its sockets open, at least ${result.idleMs / 1000} s ("idle s": the systems were prepared one after another). Clients kept sending tldraw's \`{"type":"ping"}\` every 5 s, which both Durable Objects answer through \`setWebSocketAutoResponse\` without waking. workerd tells an outside process nothing about hibernation, so each room is probed for whether its object stayed in memory (bench/clients/idleRoomProbes.ts). tldraw rooms, half of them: a push split in two tldraw chunks, the first sent before the idle period and the second after; TLSocketRoom holds the first chunk in memory, so the push commits only if the room object survived (control: the same probe with its halves 1 s apart, just before idling, must commit everywhere). limit rooms: the object's construction id, asked before and after. "Replaced" = the object was re-created while its socket stayed open, i.e. it hibernated (an eviction would have closed the sockets). The Node baseline is not probed: its rooms live as long as the process.`,
		'',
		table(
			['system', 'idle s', 'rooms probed', 'replaced (hibernated)', 'control kept', 'sockets closed while idle', 'RSS before idle', 'RSS after idle'],
			result.runs.map((r) => [
				r.system,
				(r.idleMs / 1000).toFixed(0),
				r.probedRooms === 0 ? 'n/a' : r.probedRooms,
				r.probedRooms === 0 ? 'n/a' : r.roomsReplaced,
				r.controlKept === null ? 'n/a' : `${r.controlKept}/${r.probedRooms}`,
				r.socketsClosedWhileIdle,
				bytes(r.rssBeforeIdle),
				bytes(r.rssAfterIdle),
			]),
		),
		'',
		`Cost of waking, in the other half of the tldraw rooms: one push per room, push → \`push_result\`, first ${AFTER_ALARM_MS / 1000} s after the room's export alarm was due (quiet only seconds, so in memory; and, like the push after idling, it re-arms the alarm), then after the idle period. A woken sync-worker room constructs its Durable Object, reloads TLSocketRoom from SQLite and resumes the session from its socket attachment before it answers. The last columns: the ${r0?.sessions ?? '?'}-session room's first move after idle against its warm p50.`,
		'',
		table(
			['system', 'when', ...LATENCY_HEADERS.map((h) => `ack ${h}`), 'session room: warm move p50 ms', 'first move after idle ms'],
			result.runs.flatMap((r) => [
				[r.system, `${AFTER_ALARM_MS / 1000} s after the export alarm`, ...latencyCells(r.ackAfterAlarm), ms(r.warmMoveP50Ms), null],
				[r.system, `after ${(r.idleMs / 1000).toFixed(0)} s idle`, ...latencyCells(r.ackAfterIdle), null, ms(r.firstMoveAfterIdleMs)],
			]),
		),
	].join('\n')
}
