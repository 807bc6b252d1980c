import WebSocket from 'ws'

/** A text WebSocket with receive timestamps taken as each message event fires. */
export interface BenchSocket {
	send(text: string): void
	onMessage(listener: (text: string, receivedAt: number) => void): void
	/** The next message after this call that `accept` accepts (default: any). */
	nextMessage(timeoutMs: number, accept?: (text: string) => boolean): Promise<{ text: string; receivedAt: number }>
	close(): void
	readonly closed: Promise<{ code: number; reason: string }>
	/** close() was called on this side. */
	readonly closedByUs: boolean
}

/** Calls `listener` if the socket closes without our asking. */
export function onServerClose(socket: BenchSocket, listener: (code: number, reason: string) => void) {
	void socket.closed.then(({ code, reason }) => {
		if (!socket.closedByUs) listener(code, reason)
	})
}

/** Sent every PING_INTERVAL_MS, byte for byte what TLSyncClient sends (the rooms auto-answer it). */
export const PING_MESSAGE = '{"type":"ping"}'
/** TLSyncClient's ping interval; without pings the Node baseline drops sessions idle for 20 s. */
export const PING_INTERVAL_MS = 5_000

let simulatedClients = 0

/**
 * Every socket is a different simulated user, so it presents its own client address the way Cloudflare's
 * edge would (`cf-connecting-ip`, which miniflare passes through when set). Otherwise sync-worker's
 * per-IP room-connect rate limit would refuse most of the benchmark's connections from 127.0.0.1.
 * Addresses come from 198.18.0.0/15, the range reserved for benchmarking (RFC 2544); it is only a header.
 */
function simulatedClientIp(): string {
	const n = simulatedClients++ % 131_072
	return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`
}

/**
 * Opens a socket with compression off: workerd would otherwise negotiate permessage-deflate while the
 * Node baseline does not, and the systems must do the same work per message.
 */
export function openSocket(url: string, timeoutMs: number): Promise<BenchSocket> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, {
			perMessageDeflate: false,
			handshakeTimeout: timeoutMs,
			headers: { 'cf-connecting-ip': simulatedClientIp() },
		})
		const listeners: Array<(text: string, receivedAt: number) => void> = []
		let closedByUs = false
		const closed = new Promise<{ code: number; reason: string }>((r) =>
			ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
		)
		ws.on('message', (data, isBinary) => {
			const receivedAt = performance.now()
			const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()
			for (const l of listeners.slice()) l(text, receivedAt)
		})
		ws.once('error', reject)
		ws.once('unexpected-response', (_req, res) => reject(new Error(`${url}: HTTP ${res.statusCode} instead of an upgrade`)))
		ws.once('open', () => {
			ws.off('error', reject)
			// Errors after open surface as `close`; a listener keeps them from crashing the generator.
			ws.on('error', () => {})
			const pinger = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(PING_MESSAGE), PING_INTERVAL_MS)
			pinger.unref()
			ws.once('close', () => clearInterval(pinger))
			resolve({
				send: (text) => ws.send(text),
				onMessage: (l) => listeners.push(l),
				nextMessage: (ms, accept = () => true) =>
					new Promise((res, rej) => {
						const timer = setTimeout(() => {
							listeners.splice(listeners.indexOf(once), 1)
							rej(new Error(`${url}: no message within ${ms} ms`))
						}, ms)
						const once = (text: string, receivedAt: number) => {
							if (!accept(text)) return
							clearTimeout(timer)
							listeners.splice(listeners.indexOf(once), 1)
							res({ text, receivedAt })
						}
						listeners.push(once)
						closed.then(({ code, reason }) => {
							clearTimeout(timer)
							rej(new Error(`${url}: closed ${code} ${reason} while waiting for a message`))
						})
					}),
				close: () => {
					closedByUs = true
					ws.close(1000)
				},
				closed,
				get closedByUs() {
					return closedByUs
				},
			})
		})
	})
}
