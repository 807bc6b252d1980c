import { DurableObject } from 'cloudflare:workers'
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication'
import { getConfig, type Config } from '../src/config'
import { createDb } from '../src/db/createDb'
import { getFile } from '../src/db/FileRepository'
import { applyFileRowChange, fileRowChangeDeps } from '../src/files/applyFileRowChange'
import type { Env } from '../src/env'
import { createErrorReporter } from '../src/observability/reportError'
import { planReplication } from '../src/replication/planReplication'
import { planDeliveryStep, type DeliveryOutcome } from '../src/replication/planPump'
import { SerialPump } from '../src/util/SerialPump'
import { ReplicatorStore } from '../src/replication/ReplicatorStore'
import { runRoomEffects } from '../src/replication/runRoomEffects'
import type { JsonRow } from '../src/replication/types'
import { nextStreamStatus, streamNeedsStart, type StreamEvent, type StreamState, type StreamStatus } from '../src/replication/streamState'
import { ensureSlot, readSlotStatus } from '../src/replication/slot'
import { TransactionAssembler } from '../src/replication/TransactionAssembler'
import { userStub } from '../src/stubs'
import { compareLsn, parseLsn } from '../src/user/lsn'
import { planFileEvents } from '../src/webhooks/planFileEvents'
import { messagesFor } from '../src/webhooks/WebhookEvent'

export const PUBLICATION_NAME = 'sync_worker'
/** Deliveries sent to one user per RPC. */
const DELIVERY_BATCH = 500
/** A failing room effect is retried this many times (about 10 minutes of alarms) before it is dropped and reported. */
const MAX_EFFECT_ATTEMPTS = 30

/**
 * The singleton that fans Postgres changes out (ARCHITECTURE.md §4): one logical replication stream (pgoutput,
 * a persistent slot, the `sync_worker` publication), an outbox in SQLite written before each LSN is
 * acknowledged, ordered per-user deliveries and retried room effects. A storage alarm every
 * REPLICATOR_KEEPALIVE_MS restarts a stream that died — workerd evicts a Durable Object with no incoming
 * events even while its outgoing socket is open.
 */
export class ReplicatorDurableObject extends DurableObject<Env> {
	private readonly config: Config
	private readonly store: ReplicatorStore
	private service: LogicalReplicationService | null = null
	private stream: StreamStatus = { state: 'stopped', failureReported: false }
	private lastError: string | null = null
	private readonly pump = new SerialPump(() => this.deliverOnce())
	private lastEventAt: number | null = null
	/** Settles once the start under way has its slot and stream id (resolved when no start is under way). */
	private slotReady: Promise<void> = Promise.resolve()

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		this.config = getConfig(env)
		this.store = new ReplicatorStore(ctx.storage.sql, (fn) => ctx.storage.transactionSync(fn))
	}

	// ── RPC ──

	/** Starts the stream if it is not running; cheap when it is. Called by the Worker on room and user connects. */
	async ensureRunning(): Promise<StreamState> {
		await this.armKeepalive()
		if (streamNeedsStart(this.stream.state)) await this.startStream()
		// A start under way: wait for its slot, or a user registering now would get an init before the slot
		// exists, and a change committed in between would reach no one.
		else await this.slotReady
		return this.stream.state
	}

	/** A user's Durable Object subscribes; deliveries for it start at `nextSeq` of stream `streamId`. */
	async registerUser(userId: string, fileIds: string[]): Promise<{ streamId: string; nextSeq: number }> {
		await this.ensureRunning()
		const { nextSeq } = this.store.registerUser(userId, fileIds, Date.now())
		return { streamId: this.store.getMeta('streamId') ?? 'none', nextSeq }
	}

	async unregisterUser(userId: string): Promise<void> {
		this.store.unregisterUser(userId)
	}

	async status() {
		const slot = this.config.databaseUrl ? await readSlotStatus(this.config.databaseUrl, this.config.replicationSlot).catch((e) => ({ error: String(e) })) : null
		const lastEventAt = this.lastEventAt ?? this.store.getMeta('lastEventAt')
		return {
			stream: this.stream.state,
			streamId: this.store.getMeta('streamId'),
			/** How many times a stream was (re)started: after evictions, crashes, Postgres restarts. */
			streamStarts: Number(this.store.getMeta('streamStarts') ?? 0),
			lastError: this.lastError,
			lsn: this.store.getMeta('lastCommitLsn'),
			slot,
			outbox: this.store.outboxDepth(),
			registeredUsers: this.store.registeredUsers().length,
			lastEventAgeMs: lastEventAt ? Date.now() - Number(lastEventAt) : null,
		}
	}

	/**
	 * Admin: drops all in-memory state and the stream, as an eviction or crash would, and starts again
	 * from SQLite and the slot half a second later. (wrangler's evictDurableObject cannot evict this object
	 * while its replication socket is open: the socket counts as an active reference.)
	 */
	async restart(): Promise<void> {
		await this.ctx.storage.setAlarm(Date.now() + 500)
		// abort() discards writes not yet flushed; make sure the alarm that restarts us is on disk.
		await this.ctx.storage.sync()
		this.ctx.abort('restart requested')
	}

	override async alarm() {
		await this.armKeepalive()
		if (streamNeedsStart(this.stream.state)) await this.startStream()
		await this.pump.request()
	}

	// ── stream ──

	private async armKeepalive() {
		const next = Date.now() + this.config.replicatorKeepaliveMs
		const current = await this.ctx.storage.getAlarm()
		if (current === null || current > next) await this.ctx.storage.setAlarm(next)
	}

	private async startStream() {
		const url = this.config.databaseUrl
		if (!url) {
			this.stream = { ...this.stream, state: 'failed' }
			this.lastError = 'DATABASE_URL is not set'
			return
		}
		this.on('starting')
		let slotReady = () => {}
		this.slotReady = new Promise((resolve) => (slotReady = resolve))
		try {
			const slot = await ensureSlot(url, this.config.replicationSlot)
			if (slot.created || !this.store.getMeta('streamId')) this.store.setMeta('streamId', crypto.randomUUID())
			// Not after the resync below: resyncing users register again, and would wait for themselves.
			slotReady()
			if (slot.created) await this.resyncRegisteredUsers()
			const service = new LogicalReplicationService(
				{ connectionString: url, connectionTimeoutMillis: 10_000 },
				// Acknowledge only after the outbox holds the batch; handle one message at a time.
				{ acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
			)
			const assembler = new TransactionAssembler()
			service.on('data', (lsn: string, msg: Pgoutput.Message) => this.onMessage(service, assembler, lsn, msg))
			service.on('heartbeat', async (_lsn: string, _ts: number, shouldRespond: boolean) => {
				this.on('alive')
				const last = this.store.getMeta('lastCommitLsn')
				if (shouldRespond && last) await service.acknowledge(last).catch(() => {})
			})
			service.on('error', (err: Error) => this.onStreamError(service, err))
			this.service = service
			this.on('subscribed')
			this.store.setMeta('streamStarts', String(Number(this.store.getMeta('streamStarts') ?? 0) + 1))
			this.lastError = null
			// subscribe() resolves only when the stream ends; errors arrive through 'error'.
			service.subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [PUBLICATION_NAME] }), this.config.replicationSlot).catch((err) =>
				this.onStreamError(service, err),
			)
		} catch (err) {
			this.fail(err, 'stream failed to start')
			// Retry soon rather than at the next keepalive.
			await this.ctx.storage.setAlarm(Date.now() + 1_000)
		} finally {
			slotReady()
		}
	}

	/**
	 * A new slot (its stream gets a new id) means changes may have been missed: every connected user is told
	 * to resync from Postgres (they see the new id on their next delivery, or get told now).
	 */
	private async resyncRegisteredUsers() {
		const streamId = this.store.getMeta('streamId')!
		await Promise.allSettled(this.store.registeredUsers().map((userId) => userStub(this.env, userId).resync(streamId)))
	}

	private onStreamError(service: LogicalReplicationService, err: unknown) {
		if (this.service !== service) return
		this.service = null
		this.fail(err, 'stream error')
		void service.stop().catch(() => {})
		void this.ctx.storage.setAlarm(Date.now() + 1_000)
	}

	/** The stream is down; an alarm retries it. Only the first failure of a streak is reported. */
	private fail(err: unknown, what: string) {
		this.lastError = err instanceof Error ? err.message : String(err)
		if (this.on('failed')) this.report(err, { what })
		else console.error(`replicator: ${what}:`, this.lastError)
	}

	/** Applies a stream event; true when it is to be reported. */
	private on(event: StreamEvent): boolean {
		const { status, report } = nextStreamStatus(this.stream, event)
		this.stream = status
		return report
	}

	private async onMessage(service: LogicalReplicationService, assembler: TransactionAssembler, lsn: string, msg: Pgoutput.Message) {
		this.lastEventAt = Date.now()
		this.on('alive')
		const tx = assembler.push(msg)
		if (!tx) return
		this.store.setMeta('lastEventAt', String(this.lastEventAt))
		const last = this.store.getMeta('lastCommitLsn')
		// After a restart the slot may resend transactions we already stored: skip them (LSNs as numbers).
		if (last === null || compareLsn(parseLsn(tx.commitLsn), parseLsn(last)) > 0) {
			const fileEvents = this.config.webhooks.urls.length > 0 ? planFileEvents(tx) : []
			this.store.recordTransaction(tx.commitLsn, planReplication(tx, this.store.subscriptions()), fileEvents)
		}
		await service.acknowledge(lsn).catch(() => {})
		void this.pump.request()
	}

	// ── delivery ──

	/** One pass over the outbox (SerialPump runs it again while there is more): deliveries, webhooks, room effects. */
	private async deliverOnce() {
		const streamId = this.store.getMeta('streamId') ?? 'none'
		const pending = this.store.pendingDeliveries(streamId, DELIVERY_BATCH)
		await Promise.all(
			[...pending].map(async ([userId, deliveries]) => {
				let outcome: DeliveryOutcome
				try {
					outcome = (await userStub(this.env, userId).deliver(deliveries)) ? 'accepted' : 'nobody-connected'
				} catch (err) {
					console.warn(`replicator: delivery to ${userId} failed, will retry:`, err instanceof Error ? err.message : err)
					outcome = 'failed'
				}
				const step = planDeliveryStep(outcome, deliveries.length, DELIVERY_BATCH)
				if (step.action === 'mark-delivered') this.store.markDelivered(userId, deliveries[deliveries.length - 1]!.seq)
				else if (step.action === 'unregister') this.store.unregisterUser(userId)
				if (step.again) this.pump.requestAgain()
			}),
		)
		await this.sendWebhooks()
		await this.applyRoomEffects()
	}

	/** Room effects in commit order per file, each against the file's current row (runRoomEffects). */
	private async applyRoomEffects() {
		const pending = this.store.pendingEffects(50)
		const url = this.config.databaseUrl
		if (pending.length === 0 || !url) return
		const { db, close } = createDb(url)
		try {
			await runRoomEffects(
				pending,
				{
					apply: (before, after) => applyFileRowChange(fileRowChangeDeps(this.env), before, after),
					currentRow: async (fileId) => {
						const row = await getFile(db, fileId)
						return row && (JSON.parse(JSON.stringify(row)) as JsonRow)
					},
					done: (id) => this.store.markEffectDone(id),
					retry: (id) => this.store.markEffectFailed(id),
					giveUp: ({ effect, attempts }, error) => this.report(error, { fileId: effect.fileId, attempts }),
				},
				MAX_EFFECT_ATTEMPTS,
			)
		} finally {
			await close()
		}
	}

	/** `file.*` webhook events to the queue; they stay in the outbox until the queue accepted them. */
	private async sendWebhooks() {
		// A queue batch holds at most 100 messages: one per event and receiver.
		const limit = Math.max(1, Math.floor(100 / Math.max(1, this.config.webhooks.urls.length)))
		const pending = this.store.pendingWebhooks(limit)
		if (pending.length === 0) return
		try {
			await this.env.WEBHOOK_QUEUE.sendBatch(pending.flatMap(({ event }) => messagesFor(event, this.config.webhooks.urls)))
			this.store.markWebhooksSent(pending[pending.length - 1]!.id)
			if (pending.length === limit) this.pump.requestAgain()
		} catch (err) {
			console.warn('replicator: webhook queue send failed, will retry:', err instanceof Error ? err.message : err)
		}
	}

	private report(err: unknown, extra: Record<string, unknown>) {
		console.error('replicator:', err, extra)
		createErrorReporter({ dsn: this.config.sentryDsn, waitUntil: (p) => this.ctx.waitUntil(p), component: 'replicator' }).captureException(err, extra)
	}
}

