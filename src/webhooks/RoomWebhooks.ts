import { messagesFor, type RoomEventType, type WebhookEvent, type WebhookQueueMessage } from './WebhookEvent'
import { nextDocumentUpdateAt, summarizeDocumentUpdate } from './planDocumentUpdate'
import { SerialPump } from '../util/SerialPump'

/** The producer side of WEBHOOK_QUEUE. */
export interface WebhookSink {
	sendBatch(messages: Iterable<MessageSendRequest<WebhookQueueMessage>>): Promise<unknown>
}

/** Reads the room's change log: the current clock and the ids put/removed after `sinceClock`. */
export type ChangesSince = (sinceClock: number) => { clock: number; putIds: string[]; removedIds: string[]; complete: boolean }

export interface RoomWebhooksDeps {
	sql: SqlStorage
	transactionSync: <T>(fn: () => T) => T
	queue: WebhookSink
	urls: readonly string[]
	debounceMs: number
	now: () => number
	log: (message: string, err: unknown) => void
}

/** Outbox rows sent per queue batch (Queues accept at most 100 messages per sendBatch). */
const SEND_BATCH = 100

/**
 * A room's webhook events (README "Webhooks"). Each event is written to an outbox in the room's SQLite with the
 * next per-room `seq`, then sent to the queue off the push path; a row leaves the outbox only once the
 * queue accepted it, and the alarm resends what a crash or a queue failure left behind (at least once).
 * `document.updated` is debounced: edits only mark the room dirty, one event per WEBHOOK_DEBOUNCE_MS
 * carries the clock range and the ids put and removed, read from the storage's own change log.
 */
export class RoomWebhooks {
	private timer: ReturnType<typeof setTimeout> | null = null
	private lastEmittedAt: number | null = null
	private readonly pump = new SerialPump(() => this.flushOnce())
	private stopped = false

	constructor(private readonly deps: RoomWebhooksDeps) {
		if (!this.enabled) return
		deps.sql.exec(`CREATE TABLE IF NOT EXISTS sw_webhook_outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, body TEXT NOT NULL);
			CREATE TABLE IF NOT EXISTS sw_webhook_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`)
	}

	get enabled(): boolean {
		return this.deps.urls.length > 0
	}

	/** At room load: changes made before webhooks were on, or before this room existed, are not reported. */
	start(clock: number) {
		if (this.enabled && this.getState('reportedClock') === null) this.setState('reportedClock', clock)
	}

	/** An event now (sessions, restores): written to the outbox, then sent in the background. */
	emit(roomKey: string, type: RoomEventType, data: Record<string, unknown>) {
		if (!this.enabled || this.stopped) return
		this.deps.transactionSync(() => this.append(roomKey, type, data))
		void this.flush()
	}

	/** Called on every committed change: O(1) with no storage access, never waits. */
	documentChanged(roomKey: () => string | null, changesSince: ChangesSince) {
		if (!this.enabled || this.stopped || this.timer) return
		const at = nextDocumentUpdateAt(this.lastEmittedAt, this.deps.now(), this.deps.debounceMs)
		this.timer = setTimeout(() => {
			this.timer = null
			const key = roomKey()
			if (key) this.emitDocumentUpdate(key, changesSince)
		}, at - this.deps.now())
	}

	/** Alarm backstop: reports changes a lost timer never reported and resends what the outbox still holds. */
	async catchUp(roomKey: string, changesSince: ChangesSince) {
		if (!this.enabled || this.stopped) return
		this.emitDocumentUpdate(roomKey, changesSince)
		await this.flush()
	}

	/** The room is being purged: nothing more is written or sent. */
	stop() {
		this.stopped = true
		if (this.timer) clearTimeout(this.timer)
		this.timer = null
	}

	backlog(): number {
		if (!this.enabled) return 0
		return this.deps.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM sw_webhook_outbox').one().n
	}

	private emitDocumentUpdate(roomKey: string, changesSince: ChangesSince) {
		if (this.stopped) return
		const from = this.getState('reportedClock') ?? 0
		const changes = changesSince(from)
		if (changes.clock <= from) return
		this.deps.transactionSync(() => {
			this.append(roomKey, 'document.updated', { ...summarizeDocumentUpdate(from, changes) })
			this.setState('reportedClock', changes.clock)
		})
		this.lastEmittedAt = this.deps.now()
		void this.flush()
	}

	private append(roomKey: string, type: RoomEventType, data: Record<string, unknown>) {
		const seq = (this.getState('seq') ?? 0) + 1
		const event: WebhookEvent = {
			id: `evt_${crypto.randomUUID().replaceAll('-', '')}`,
			type,
			timestamp: new Date(this.deps.now()).toISOString(),
			roomKey,
			source: 'room',
			seq,
			data,
		}
		this.deps.sql.exec('INSERT INTO sw_webhook_outbox (seq, id, body) VALUES (?, ?, ?)', seq, event.id, JSON.stringify(event))
		this.setState('seq', seq)
	}

	/** Sends the outbox in seq order; one flush at a time, re-run when asked while running. */
	private flush(): Promise<void> {
		return this.pump.request()
	}

	private async flushOnce(): Promise<void> {
		const rows = this.deps.sql.exec<{ seq: number; body: string }>('SELECT seq, body FROM sw_webhook_outbox ORDER BY seq LIMIT ?', SEND_BATCH).toArray()
		if (rows.length === 0) return
		try {
			const messages = rows.flatMap((r) => messagesFor(JSON.parse(r.body) as WebhookEvent, this.deps.urls))
			for (let i = 0; i < messages.length; i += SEND_BATCH) await this.deps.queue.sendBatch(messages.slice(i, i + SEND_BATCH))
		} catch (err) {
			// Kept in the outbox: the next event or the alarm sends it again.
			this.deps.log('webhook: queue send failed, will retry', err)
			return
		}
		if (this.stopped) return
		this.deps.sql.exec('DELETE FROM sw_webhook_outbox WHERE seq <= ?', rows[rows.length - 1]!.seq)
		if (rows.length === SEND_BATCH) this.pump.requestAgain()
	}

	private getState(key: 'seq' | 'reportedClock'): number | null {
		return this.deps.sql.exec<{ value: number }>('SELECT value FROM sw_webhook_state WHERE key = ?', key).toArray()[0]?.value ?? null
	}

	private setState(key: 'seq' | 'reportedClock', value: number) {
		this.deps.sql.exec('INSERT INTO sw_webhook_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, value)
	}
}
