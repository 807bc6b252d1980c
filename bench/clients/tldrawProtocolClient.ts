/**
 * A load-generator client that speaks tldraw's sync protocol (protocol.ts, diff.ts in @tldraw/sync-core)
 * over a plain `ws` socket: no Store, no TLSyncClient, so hundreds of them fit in one Node process.
 * Message shapes are the ones TLSyncClient sends; scenarios/protocolCheck.ts verifies them against every real
 * server before anything is timed.
 */
import { onServerClose, openSocket, type BenchSocket } from './openSocket.ts'
import { PROTOCOL_VERSION, SERIALIZED_SCHEMA, type NetworkDiff } from './syncProtocol.ts'

/** The server events the bench reads, after unpacking tldraw's batched `data` messages. */
export type ServerEvent =
	| { type: 'connect'; serverClock: number; diff: NetworkDiff; hydrationType: string }
	| { type: 'patch'; serverClock: number; diff: NetworkDiff }
	| { type: 'push_result'; clientClock: number; serverClock: number; action: unknown }
	| { type: 'pong' }
	| { type: 'other'; raw: unknown }

export type ConnectEvent = Extract<ServerEvent, { type: 'connect' }>

export interface JoinTiming {
	/** Socket open (HTTP upgrade done), ms after the join started. */
	openMs: number
	/** The whole `connect` message received (before the client parses it), ms after the join started. */
	fullSyncMs: number
	/** Size of the `connect` message in bytes. */
	connectBytes: number
}

export class TldrawProtocolClient {
	private clientClock = 0
	private readonly listeners: Array<(event: ServerEvent, receivedAt: number) => void> = []

	private readonly socket: BenchSocket

	private constructor(socket: BenchSocket) {
		this.socket = socket
		socket.onMessage((text, receivedAt) => {
			// A copy: listeners may unsubscribe while they run.
			for (const event of parseServerMessage(text)) for (const l of this.listeners.slice()) l(event, receivedAt)
		})
	}

	/** Opens a socket to a room and completes the connect handshake (full sync from `lastServerClock: -1`). */
	static async join(roomUrl: string, timeoutMs = 30_000): Promise<{ client: TldrawProtocolClient; connect: ConnectEvent; timing: JoinTiming }> {
		const startedAt = performance.now()
		const socket = await openSocket(roomUrl, timeoutMs)
		const openMs = performance.now() - startedAt
		// A pong (answer to the keep-alive ping) may come first on a slow join.
		const first = socket.nextMessage(timeoutMs, (text) => text !== '{"type":"pong"}')
		socket.send(
			JSON.stringify({
				type: 'connect',
				connectRequestId: `bench-${Math.random().toString(36).slice(2)}`,
				lastServerClock: -1,
				protocolVersion: PROTOCOL_VERSION,
				schema: SERIALIZED_SCHEMA,
			}),
		)
		const { text, receivedAt } = await first
		const connect = parseServerMessage(text).find((e): e is ConnectEvent => e.type === 'connect')
		if (!connect) {
			socket.close()
			throw new Error(`expected a connect message, got ${text.slice(0, 200)}`)
		}
		return {
			client: new TldrawProtocolClient(socket),
			connect,
			timing: { openMs, fullSyncMs: receivedAt - startedAt, connectBytes: Buffer.byteLength(text) },
		}
	}

	/** Subscribes to server events; returns the unsubscribe function. */
	onEvent(listener: (event: ServerEvent, receivedAt: number) => void): () => void {
		this.listeners.push(listener)
		return () => {
			const i = this.listeners.indexOf(listener)
			if (i >= 0) this.listeners.splice(i, 1)
		}
	}

	/** Sends a push of document changes; returns its clientClock (echoed in `push_result`). */
	push(diff: NetworkDiff): number {
		const { clientClock, text } = this.preparePush(diff)
		this.socket.send(text)
		return clientClock
	}

	/** A push frame with the next clientClock, not sent: for callers that split or delay it. */
	preparePush(diff: NetworkDiff): { clientClock: number; text: string } {
		const clientClock = ++this.clientClock
		return { clientClock, text: JSON.stringify({ type: 'push', clientClock, diff }) }
	}

	/** Pushes and resolves when the server answers `push_result` (rejects on `discard` or a timeout). */
	pushAndWait(diff: NetworkDiff, timeoutMs = 30_000): Promise<void> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				unsubscribe()
				reject(new Error(`no push_result within ${timeoutMs} ms`))
			}, timeoutMs)
			let clock = -1
			const unsubscribe = this.onEvent((e) => {
				if (e.type !== 'push_result' || e.clientClock !== clock) return
				clearTimeout(timer)
				unsubscribe()
				if (e.action === 'discard') reject(new Error('push was discarded'))
				else resolve()
			})
			clock = this.push(diff)
		})
	}

	/** Sends a frame as is (e.g. the keep-alive ping). */
	sendRaw(text: string) {
		this.socket.send(text)
	}

	onClose(listener: (code: number, reason: string) => void) {
		onServerClose(this.socket, listener)
	}

	close() {
		this.socket.close()
	}
}

/** One frame from the server as the events it carries; `data` frames batch patches and push results. */
export function parseServerMessage(text: string): ServerEvent[] {
	const msg = JSON.parse(text) as { type?: string; data?: unknown[] }
	const items = msg.type === 'data' && Array.isArray(msg.data) ? msg.data : [msg]
	return items.map((item) => {
		const type = (item as { type?: unknown }).type
		return type === 'connect' || type === 'patch' || type === 'push_result' || type === 'pong'
			? (item as ServerEvent)
			: { type: 'other', raw: item }
	})
}
