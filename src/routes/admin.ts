/** Admin view (ADMIN_TOKEN, checked by `adminRoute`): active rooms, one room's detail, Prometheus metrics. */
import { getConfig } from '../config'
import type { Env } from '../env'
import { ApiError, ErrorCode } from '../http/errors'
import type { Req } from './request'
import { renderMetrics } from '../stats/renderMetrics'
import type { RoomRow } from '../stats/StatsStore'
import type { RoomKey } from '../storage/keys'
import { replicatorStub, roomStub, statsStub } from '../stubs'

const ROOM_KEY_RE = /^(file|room):[A-Za-z0-9_-]{1,128}$/
export const DEFAULT_ACTIVE_MINUTES = 10
const MAX_ACTIVE_MINUTES = 7 * 24 * 60

function activeSince(req: Request): { minutes: number; sinceMs: number } {
	const raw = new URL(req.url).searchParams.get('minutes')
	const minutes = raw === null ? DEFAULT_ACTIVE_MINUTES : Number(raw)
	if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_ACTIVE_MINUTES) {
		throw new ApiError(400, ErrorCode.BAD_REQUEST, `minutes must be an integer from 1 to ${MAX_ACTIVE_MINUTES}`)
	}
	return { minutes, sinceMs: Date.now() - minutes * 60_000 }
}

function roomJson(r: RoomRow) {
	const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
	return {
		roomKey: r.roomKey,
		sessions: r.sessions,
		bytes: r.bytes,
		clock: r.clock,
		lastExportedAt: iso(r.lastExportedAt),
		lastActivityAt: iso(r.lastActivityAt),
		exportLagMs: r.exportLagMs,
		webhookBacklog: r.webhookBacklog,
		reportedAt: iso(r.reportedAt),
	}
}

/** GET /app/admin/rooms?minutes=10 — rooms with a session or activity in the last `minutes`. */
export async function listRooms(req: Req, env: Env): Promise<Response> {
	const { minutes, sinceMs } = activeSince(req)
	const rooms = await statsStub(env).activeRooms(sinceMs)
	return Response.json({ minutes, rooms: rooms.map(roomJson) })
}

/** GET /app/admin/room/:roomKey — the room's last report, its live sessions and recent versions. */
export async function getRoom(req: Req, env: Env): Promise<Response> {
	const roomKey = req.params.roomKey ?? '' // decoded once by the route step
	if (!ROOM_KEY_RE.test(roomKey)) throw new ApiError(400, ErrorCode.INVALID_ID, 'roomKey must be file:<id> or room:<id>')
	const report = await statsStub(env).room(roomKey)
	// Only rooms that reported are looked up, so a mistyped key never creates a Durable Object.
	if (!report) throw new ApiError(404, ErrorCode.NOT_FOUND, 'no room with that key has reported')
	const detail = await roomStub(env, roomKey as RoomKey).describe(roomKey as RoomKey)
	return Response.json({ ...roomJson(report), live: detail })
}

/** GET /app/admin/metrics — Prometheus text exposition. */
export async function metrics(req: Req, env: Env): Promise<Response> {
	const { sinceMs } = activeSince(req)
	const snapshot = await statsStub(env).snapshot(sinceMs)
	let replicationLagBytes: number | null = null
	let replicatorWebhooks = 0
	if (getConfig(env).databaseUrl) {
		const status = await replicatorStub(env)
			.status()
			.catch(() => null)
		const slot = status?.slot
		replicationLagBytes = slot && 'lagBytes' in slot ? slot.lagBytes : null
		replicatorWebhooks = status?.outbox.webhooks ?? 0
	}
	const roomOutboxes = snapshot.activeRooms.reduce((n, r) => n + r.webhookBacklog, 0)
	const body = renderMetrics({
		activeRooms: snapshot.activeRooms,
		counters: snapshot.counters,
		webhookBacklog: snapshot.webhookQueueBacklog + roomOutboxes + replicatorWebhooks,
		replicationLagBytes,
		nowMs: Date.now(),
	})
	return new Response(body, { headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' } })
}
