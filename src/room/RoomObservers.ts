import type { SQLiteSyncStorage, TLSyncSqliteWrapper } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import type { Config } from '../config'
import type { RoomReport } from '../stats/RoomReport'
import { RoomStatsReporter } from '../stats/RoomReport'
import { RoomWebhooks, type ChangesSince, type WebhookSink } from '../webhooks/RoomWebhooks'
import { liveSessions, type Attachment } from './socketAttachment'
import { readChangesSince } from './readChanges'
import type { RoomMetaStore } from './RoomMetaStore'

export interface RoomObserverDeps {
	ctx: Pick<DurableObjectState, 'storage' | 'getWebSockets'>
	config: Config
	meta: RoomMetaStore
	queue: WebhookSink
	stats: { reportRoom(report: RoomReport): Promise<void> }
}

/**
 * Everything that watches a room without being part of syncing it: webhook events and the batched
 * reports to the stats object. The Durable Object calls one method per lifecycle event; every method is
 * cheap and never awaits I/O on the caller's path (a push must not wait for either).
 */
export class RoomObservers {
	readonly webhooks: RoomWebhooks
	private readonly reporter: RoomStatsReporter
	private storage: SQLiteSyncStorage<TLRecord> | null = null
	private tables: TLSyncSqliteWrapper | null = null
	private firstUnexportedAt: number | null = null

	constructor(private readonly deps: RoomObserverDeps) {
		this.webhooks = new RoomWebhooks({
			sql: deps.ctx.storage.sql,
			transactionSync: (fn) => deps.ctx.storage.transactionSync(fn),
			queue: deps.queue,
			urls: deps.config.webhooks.urls,
			debounceMs: deps.config.webhooks.debounceMs,
			now: () => Date.now(),
			log: (message, err) => console.warn(message, err instanceof Error ? err.message : err),
		})
		this.reporter = new RoomStatsReporter({ intervalMs: deps.config.statsReportMs, state: () => this.state(), send: (r) => deps.stats.reportRoom(r) })
	}

	loaded(storage: SQLiteSyncStorage<TLRecord>, tables: TLSyncSqliteWrapper) {
		this.storage = storage
		this.tables = tables
		this.webhooks.start(storage.getClock())
	}

	changed() {
		this.firstUnexportedAt ??= Date.now()
		this.reporter.noteChange()
		this.webhooks.documentChanged(() => this.deps.meta.getRoomKey(), this.changesSince)
	}

	sessionJoined(a: Attachment) {
		this.sessionEvent('session.joined', a)
	}

	sessionLeft(a: Attachment) {
		this.sessionEvent('session.left', a)
	}

	restored(data: { version: string; clock: number; newVersion: string | null }) {
		const roomKey = this.deps.meta.getRoomKey()
		// Versions are named by their time, the last segment of the history key.
		const version = (key: string) => key.slice(key.lastIndexOf('/') + 1)
		if (roomKey) this.webhooks.emit(roomKey, 'history.restored', { version: version(data.version), clock: data.clock, newVersion: data.newVersion && version(data.newVersion) })
	}

	exportFailed() {
		this.reporter.noteExportFailure()
	}

	/** From the alarm: catch up on webhooks a crash or a failed queue send left behind. */
	async alarm() {
		const roomKey = this.deps.meta.getRoomKey()
		if (roomKey && this.storage) await this.webhooks.catchUp(roomKey, this.changesSince)
	}

	/** Admin view of a live room: its sessions and recent versions; null when this object is another room. */
	describe(roomKey: string) {
		if (this.deps.meta.getRoomKey() !== roomKey) return null
		const versions = this.deps.meta.listVersions(10).map((v) => ({ historyKey: v.historyKey, createdAt: new Date(v.createdAt).toISOString(), clock: v.clock, kind: v.kind, bytes: v.bytes }))
		return { sessions: liveSessions(this.deps.ctx), versions, webhookBacklog: this.webhooks.backlog() }
	}

	stop() {
		this.webhooks.stop()
		this.reporter.stop()
	}

	private sessionEvent(type: 'session.joined' | 'session.left', a: Attachment) {
		this.reporter.noteActivity()
		const roomKey = this.deps.meta.getRoomKey()
		if (roomKey) this.webhooks.emit(roomKey, type, { sessionId: a.sessionId, userId: a.userId, anonymous: a.userId === null, isReadonly: a.isReadonly })
	}

	/** The same O(changes) read the history exporter uses (ids and clocks straight from tldraw's tables). */
	private readonly changesSince: ChangesSince = (sinceClock) => {
		const changes = readChangesSince(this.tables!, sinceClock)
		return { clock: changes.clock, putIds: changes.puts.map((r) => r.id), removedIds: changes.removes, complete: changes.complete }
	}

	private state(): Omit<RoomReport, 'pushes' | 'exportFailures' | 'lastActivityAt'> | null {
		const roomKey = this.deps.meta.getRoomKey()
		if (!roomKey || !this.storage) return null
		const clock = this.storage.getClock()
		const exported = this.deps.meta.getExportState().lastExportedClock
		const last = this.deps.meta.listVersions(1)[0]
		if (exported !== null && exported >= clock) this.firstUnexportedAt = null
		return {
			roomKey,
			sessions: this.deps.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length,
			bytes: last?.bytes ?? 0,
			clock,
			lastExportedAt: last?.createdAt ?? null,
			exportLagMs: this.firstUnexportedAt === null ? 0 : Date.now() - this.firstUnexportedAt,
			webhookBacklog: this.webhooks.backlog(),
		}
	}
}
