/**
 * A minimal tldraw sync protocol client over any WebSocket-like object: used where TLSyncClient cannot run
 * (inside workerd) and where a full client would be the bottleneck. Speaks the same messages as TLSyncClient.
 */
import { schema } from '../../schema/index.ts'
import { getTlsyncProtocolVersion } from './syncCoreInternals.ts'
import { waitFor } from './waitFor.ts'

export interface ServerMessage {
	type: string
	[key: string]: unknown
}

export interface SocketLike {
	send(data: string): void
	close(code?: number, reason?: string): void
	addEventListener(type: 'message', cb: (ev: { data: unknown }) => void): void
	addEventListener(type: 'close', cb: (ev: { code: number; reason: string }) => void): void
}

const serializedSchema = schema.serialize()
/** How long to wait for the room's answer: under workerd's 30 s test timeout, generous for a loaded machine. */
const ANSWER_WAIT_MS = 15_000

export class ProtocolClient {
	readonly messages: ServerMessage[] = []
	closed: { code: number; reason: string } | null = null
	private clientClock = 0
	private waiters: Array<() => void> = []

	readonly socket: SocketLike

	// (No parameter properties: scripts/demo.ts runs this file with Node's type stripping.)
	constructor(socket: SocketLike) {
		this.socket = socket
		socket.addEventListener('message', (ev) => {
			const msg = JSON.parse(String(ev.data)) as ServerMessage
			// The server batches patches and push results into one `data` message.
			if (msg.type === 'data') this.messages.push(...(msg.data as ServerMessage[]))
			else this.messages.push(msg)
			this.wake()
		})
		socket.addEventListener('close', (ev) => {
			this.closed = { code: ev.code, reason: ev.reason }
			this.wake()
		})
	}

	private wake() {
		const w = this.waiters
		this.waiters = []
		for (const fn of w) fn()
	}

	/** Waits for the first message (from `fromIndex`) matching `pred`. */
	async next(pred: (m: ServerMessage) => boolean, timeoutMs = ANSWER_WAIT_MS, fromIndex = 0): Promise<ServerMessage> {
		const deadline = Date.now() + timeoutMs
		for (;;) {
			const found = this.messages.slice(fromIndex).find(pred)
			if (found) return found
			if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`)
			const remaining = deadline - Date.now()
			if (remaining <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages.map((m) => m.type))}`)
			await new Promise<void>((resolve) => {
				const t = setTimeout(resolve, Math.min(remaining, 100))
				this.waiters.push(() => {
					clearTimeout(t)
					resolve()
				})
			})
		}
	}

	async waitClosed(timeoutMs = ANSWER_WAIT_MS): Promise<{ code: number; reason: string }> {
		return waitFor(() => this.closed, 'the socket to close', timeoutMs)
	}

	/** `schema` defaults to this deployment's; pass another to act as an older or newer client. */
	async connect(lastServerClock = -1, schema: unknown = serializedSchema): Promise<ServerMessage> {
		const connectRequestId = `c${Math.random().toString(36).slice(2)}`
		this.socket.send(
			JSON.stringify({
				type: 'connect',
				connectRequestId,
				lastServerClock,
				protocolVersion: getTlsyncProtocolVersion(),
				schema,
			}),
		)
		return this.next((m) => m.type === 'connect' && m.connectRequestId === connectRequestId)
	}

	/** Sends a push and resolves with its `push_result`. */
	async push(diff: Record<string, unknown>): Promise<ServerMessage> {
		const clientClock = ++this.clientClock
		const from = this.messages.length
		this.socket.send(JSON.stringify({ type: 'push', clientClock, diff }))
		return this.next((m) => m.type === 'push_result' && m.clientClock === clientClock, ANSWER_WAIT_MS, from)
	}

	/** Puts a whole record (as TLSyncClient does for a new shape). */
	putRecord(record: { id: string }): Promise<ServerMessage> {
		return this.push({ [record.id]: ['put', record] })
	}

	/** Patches one property of a record. */
	patchRecord(id: string, prop: string, value: unknown): Promise<ServerMessage> {
		return this.push({ [id]: ['patch', { [prop]: ['put', value] }] })
	}

	/** Removes a record. */
	removeRecord(id: string): Promise<ServerMessage> {
		return this.push({ [id]: ['remove'] })
	}
}

/** A geo shape record valid under tlschema 5.4, on `page:page` (the default page of a new room) unless told. */
export function geoShape(id: string, x = 0, y = 0, parentId = 'page:page') {
	return {
		id: `shape:${id}`,
		typeName: 'shape',
		type: 'geo',
		parentId,
		index: 'a1',
		x,
		y,
		rotation: 0,
		isLocked: false,
		opacity: 1,
		meta: {},
		props: {
			w: 100,
			h: 100,
			geo: 'rectangle',
			color: 'black',
			labelColor: 'black',
			fill: 'none',
			dash: 'draw',
			size: 'm',
			font: 'draw',
			align: 'middle',
			verticalAlign: 'middle',
			growY: 0,
			url: '',
			scale: 1,
			flipX: false,
			flipY: false,
			richText: { type: 'doc', content: [{ type: 'paragraph' }] },
		},
	}
}
