/**
 * Scenario 6 — R2 export: sync-worker's rooms write their snapshot to R2 from a storage alarm every
 * PERSIST_INTERVAL_MS while the document changes (a history version, then the `latest` pointer). Rooms of
 * each join-time size are kept active for a while; the local R2 metadata then gives every export's size,
 * its timing and the number of writes.
 */
import { connectMoveClients, closeAll, type MoveClient } from '../clients/moveClients.ts'
import type { BenchContext } from '../lib/BenchContext.ts'
import { listLocalR2Objects, type LocalR2Object } from '../lib/localR2.ts'
import { bytes, latencyCells, LATENCY_HEADERS, ms, table } from '../lib/markdown.ts'
import { sleep } from '../lib/processes.ts'
import { readWranglerVar } from '../lib/wranglerVars.ts'
// The one module that builds sync-worker's storage keys (it has no imports, so Node can load it as is).
import { historyPrefix, latestSnapshotKey, roomKeyForAnonymousRoom } from '../../src/storage/keys.ts'
import { CHECKPOINT_CHAIN_FRACTION, CHECKPOINT_EVERY_VERSIONS } from '../../src/room/chainLimits.ts'
import { summarize, type Summary } from '../lib/stats.ts'
import { JOIN_ROOM_SIZES, joinRoomId } from './joinTime.ts'

const MOVE_EVERY_MS = 1_000

export interface R2RoomRun {
	shapes: number
	/** Versions caused by the active window: timestamped from its start to PERSIST_INTERVAL_MS after its end. */
	exports: number
	/** R2 writes (history version + latest pointer per export) per minute of activity. */
	writesPerActiveMinute: number
	bytesPerExport: Summary | null
	/** Alarm start (the version's timestamp) → history version stored. */
	versionWrittenMs: Summary | null
	/** Alarm start → latest pointer stored, for the newest export (the pointer is overwritten each time). */
	lastExportCompleteMs: number | null
	/** The mover's push → push_result during the window: exports run on the room's only thread. */
	ack: Summary | null
	/** Seconds into the window of each export's alarm, and of the slowest acknowledgement. */
	exportAtS: number[]
	slowestAckAtS: number | null
	/** Acks of pushes sent at least ACK_CLEAR_OF_EXPORT_MS away from every export alarm: the room without exports. */
	ackClearOfExports: Summary | null
	/** Versions of the window by kind (from the room's history API). */
	checkpoints: number
	changeSets: number
	/** The newest checkpoint's size: the whole document as history stores it. */
	checkpointBytes: number | null
	changeSetBytes: Summary | null
	/** Size of the `latest` chain manifest at the end. */
	manifestBytes: number
	/** History objects written in the window plus one `latest` manifest per export, per active minute. */
	bytesPerActiveMinute: number
	/**
	 * The long-run rate: change sets and manifests as measured, plus checkpoints at the rate the chain policy
	 * forces them (every CHECKPOINT_EVERY_VERSIONS versions, or sooner when change sets pass
	 * CHECKPOINT_CHAIN_FRACTION of a checkpoint), whether or not one fell inside this window.
	 */
	amortizedBytesPerActiveMinute: number | null
}

/** An ack counts as "clear of exports" when its push was sent this far from every export alarm. */
const ACK_CLEAR_OF_EXPORT_MS = 1_500

interface ListedVersion {
	version: string
	kind: 'checkpoint' | 'changes'
	bytes: number
}

interface AckSample {
	/** ms since the window started */
	at: number
	ms: number
}

export interface R2Result {
	persistIntervalMs: number
	activeMs: number
	rooms: R2RoomRun[]
}


/** Alarm time encoded in a history key (historyVersionKey: `<prefix><ISO timestamp>`). */
function versionTimeMs(key: string): number {
	return Date.parse(key.slice(key.lastIndexOf('/') + 1))
}

function analyseRoom(
	objects: LocalR2Object[],
	roomId: string,
	shapes: number,
	window: { start: number; end: number; persistIntervalMs: number },
	acks: AckSample[],
	listed: ListedVersion[],
): R2RoomRun {
	const roomKey = roomKeyForAnonymousRoom(roomId)
	const allVersions = objects
		.filter((o) => o.key.startsWith(historyPrefix(roomKey)))
		.map((o) => ({ ...o, at: versionTimeMs(o.key) }))
		.sort((a, b) => a.at - b.at)
	// A change inside the window arms an alarm at most PERSIST_INTERVAL_MS later: those exports count too.
	const versions = allVersions.filter((v) => v.at >= window.start && v.at <= window.end + window.persistIntervalMs)
	const latest = objects.find((o) => o.key === latestSnapshotKey(roomKey))
	const newest = allVersions.at(-1)
	const minutes = (window.end - window.start) / 60_000
	const inWindow = new Set(versions.map((v) => v.key.slice(historyPrefix(roomKey).length)))
	const kinds = listed.filter((v) => inWindow.has(v.version))
	const checkpointBytes = listed.find((v) => v.kind === 'checkpoint')?.bytes ?? null
	const manifestBytes = latest?.size ?? 0
	const writtenBytes = versions.reduce((n, v) => n + v.size, 0) + manifestBytes * versions.length
	const changeBytesPerMinute = (kinds.filter((v) => v.kind === 'changes').reduce((n, v) => n + v.bytes, 0) + manifestBytes * versions.length) / minutes
	const exportsPerMinute = versions.length / minutes
	const exportTimes = versions.map((v) => v.at - window.start)
	return {
		ackClearOfExports: summarize(acks.filter((a) => exportTimes.every((t) => Math.abs(a.at - t) >= ACK_CLEAR_OF_EXPORT_MS)).map((a) => a.ms)),
		checkpoints: kinds.filter((v) => v.kind === 'checkpoint').length,
		changeSets: kinds.filter((v) => v.kind === 'changes').length,
		checkpointBytes,
		changeSetBytes: summarize(kinds.filter((v) => v.kind === 'changes').map((v) => v.bytes)),
		manifestBytes,
		bytesPerActiveMinute: writtenBytes / minutes,
		amortizedBytesPerActiveMinute:
			checkpointBytes === null
				? null
				: changeBytesPerMinute +
					checkpointBytes * Math.max(exportsPerMinute / CHECKPOINT_EVERY_VERSIONS, changeBytesPerMinute / (CHECKPOINT_CHAIN_FRACTION * checkpointBytes)),
		shapes,
		exports: versions.length,
		writesPerActiveMinute: (versions.length * 2) / minutes,
		bytesPerExport: summarize(versions.map((v) => v.size)),
		versionWrittenMs: summarize(versions.map((v) => v.uploadedMs - v.at)),
		lastExportCompleteMs: latest && newest && latest.uploadedMs >= newest.at ? latest.uploadedMs - newest.at : null,
		ack: summarize(acks.map((a) => a.ms)),
		exportAtS: versions.map((v) => (v.at - window.start) / 1000),
		slowestAckAtS: acks.length === 0 ? null : acks.reduce((a, b) => (b.ms > a.ms ? b : a)).at / 1000,
	}
}

export async function runR2Export(ctx: BenchContext): Promise<R2Result> {
	const persistIntervalMs = Number(readWranglerVar('PERSIST_INTERVAL_MS'))
	const activeMs = ctx.quick ? 20_000 : 60_000
	const movers: MoveClient[] = []
	const sentAt = new Map<number, number>()
	const acks = new Map<number, AckSample[]>()
	let windowStartPerf = 0
	try {
		for (const shapes of JOIN_ROOM_SIZES) {
			const [mover] = await connectMoveClients(ctx.syncWorker, joinRoomId(ctx, shapes), 1)
			const samples: AckSample[] = []
			mover!.onAck((x, t) => samples.push({ at: sentAt.get(x)! - windowStartPerf, ms: t - sentAt.get(x)! }))
			acks.set(shapes, samples)
			movers.push(mover!)
		}
		ctx.log(`r2: ${JOIN_ROOM_SIZES.length} rooms active for ${activeMs / 1000} s (a move every ${MOVE_EVERY_MS} ms each)`)
		const windowStart = Date.now()
		windowStartPerf = performance.now()
		let x = Math.floor(Math.random() * 1e9)
		while (Date.now() - windowStart < activeMs) {
			for (const m of movers) {
				sentAt.set(x, performance.now())
				m.sendMove(x++)
			}
			await sleep(MOVE_EVERY_MS)
		}
		const windowEnd = Date.now()
		// The last changes armed one more alarm; give it time to fire and write.
		await sleep(persistIntervalMs + 3_000)
		const objects = listLocalR2Objects(ctx.syncWorkerPersistDir)
		const window = { start: windowStart, end: windowEnd, persistIntervalMs }
		const rooms: R2RoomRun[] = []
		for (const shapes of JOIN_ROOM_SIZES) {
			const roomId = joinRoomId(ctx, shapes)
			rooms.push(analyseRoom(objects, roomId, shapes, window, acks.get(shapes)!, await listVersions(ctx, roomId)))
		}
		return { persistIntervalMs, activeMs: windowEnd - windowStart, rooms }
	} finally {
		closeAll(movers)
	}
}

/** The room's history as its API lists it (kind and size of each version). */
async function listVersions(ctx: BenchContext, roomId: string): Promise<ListedVersion[]> {
	const url = new URL(ctx.syncWorker.roomUrl(roomId, 'bench'))
	url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
	url.pathname += '/history'
	url.search = '?limit=200'
	const res = await fetch(url)
	if (!res.ok) throw new Error(`history of ${roomId}: HTTP ${res.status}`)
	return ((await res.json()) as { versions: ListedVersion[] }).versions
}

export function renderR2Export(result: R2Result): string {
	return [
		'## 6. R2 export',
		'',
		`sync-worker only (the baselines do not export). One client per room moved a shape every ${MOVE_EVERY_MS / 1000} s for ${(result.activeMs / 1000).toFixed(0)} s, in the 100 / 1,000 / 10,000-shape rooms of scenario 3, with PERSIST_INTERVAL_MS = ${result.persistIntervalMs} (wrangler.toml). History is a chain (README "Storage"): a version is a change set (the records changed since the previous version, read from the storage's change clock) or, every ${CHECKPOINT_EVERY_VERSIONS} versions or once change sets pass ${CHECKPOINT_CHAIN_FRACTION} of a checkpoint, a whole-document checkpoint read in slices between messages. Counts, sizes and times come from the local R2 metadata (\`_mf_objects\` under \`--persist-to\`/v3/r2), kinds from the room's history API. A version's key holds the \`Date.now()\` the export took when it started; "version written" runs from there to the history object's upload time; "last export complete" also covers the second put (the \`latest\` chain manifest), known only for the newest export because the manifest is overwritten. The exports counted are those the activity caused: from the window's start to one PERSIST_INTERVAL_MS after its end. Writes per active room-minute = 2 per export (version + manifest). Bytes per active minute = history objects of the window + one manifest per export; "amortized" adds checkpoints at the rate the chain policy forces them, whether or not one fell inside this window.`,
		'',
		table(
			['shapes', 'exports', 'checkpoints / change sets', 'R2 writes per active room-minute', 'bytes per export (p50)', 'checkpoint bytes', 'R2 bytes per active minute', 'amortized', 'version written p50 ms', 'max ms', 'last export complete ms'],
			result.rooms.map((r) => [
				r.shapes,
				r.exports,
				`${r.checkpoints} / ${r.changeSets}`,
				r.writesPerActiveMinute.toFixed(1),
				bytes(r.bytesPerExport?.p50),
				bytes(r.checkpointBytes),
				bytes(r.bytesPerActiveMinute),
				bytes(r.amortizedBytesPerActiveMinute),
				ms(r.versionWrittenMs?.p50),
				ms(r.versionWrittenMs?.max),
				ms(r.lastExportCompleteMs),
			]),
		),
		'',
		`Push acknowledgement latency of each room's mover during the window, with when the slowest one and each export happened (seconds into the window). "Clear of exports" keeps only pushes sent at least ${ACK_CLEAR_OF_EXPORT_MS / 1000} s from every export alarm: the same room and minute without an export nearby. Under \`wrangler dev\` every room shares one workerd process, so a large room's export can delay the other rooms too.`,
		'',
		table(
			['shapes', ...LATENCY_HEADERS.map((h) => `ack ${h}`), 'ack p99 clear of exports', 'ratio', 'slowest ack at s', 'exports at s'],
			result.rooms.map((r) => [
				r.shapes,
				...latencyCells(r.ack),
				ms(r.ackClearOfExports?.p99),
				r.ack && r.ackClearOfExports ? `${(r.ack.p99 / r.ackClearOfExports.p99).toFixed(2)}×` : '—',
				r.slowestAckAtS?.toFixed(1),
				r.exportAtS.map((s) => s.toFixed(1)).join(', '),
			]),
		),
	].join('\n')
}
