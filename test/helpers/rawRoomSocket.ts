/**
 * A room socket opened by hand (Node's WebSocket) and driven with ProtocolClient: for attacks a stock
 * TLSyncClient would never make (twin sockets, repeated connects, malformed frames). Counts what it receives.
 */
import { ProtocolClient } from './protocolClient.ts'

export interface RawRoomSocket {
	ws: WebSocket
	client: ProtocolClient
	/** UTF-8 bytes of every message received so far. */
	bytesReceived(): number
	sessionId: string
}

/** Opens `${baseUrl}${path}` as a WebSocket (adding `sessionId` and `accessToken`) and resolves once it is open. */
export async function openRawRoomSocket(baseUrl: string, path: string, opts: { sessionId?: string; accessToken?: string } = {}): Promise<RawRoomSocket> {
	const url = new URL(`${baseUrl.replace(/^http/, 'ws')}${path}`)
	const sessionId = opts.sessionId ?? `raw-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
	url.searchParams.set('sessionId', sessionId)
	if (opts.accessToken) url.searchParams.set('accessToken', opts.accessToken)
	const ws = new WebSocket(url.toString())
	let bytes = 0
	ws.addEventListener('message', (ev) => {
		bytes += typeof ev.data === 'string' ? Buffer.byteLength(ev.data) : (ev.data as ArrayBuffer).byteLength
	})
	// Attach the protocol client before the socket opens: a refused socket is closed right after opening.
	const client = new ProtocolClient(ws as never)
	await new Promise((resolve, reject) => {
		ws.addEventListener('open', resolve, { once: true })
		ws.addEventListener('error', reject, { once: true })
	})
	return { ws, client, sessionId, bytesReceived: () => bytes }
}

/** Opens a socket and completes the protocol handshake; resolves with the close reason if the room refused it. */
export async function joinRaw(baseUrl: string, path: string, opts: { sessionId?: string; accessToken?: string } = {}) {
	const socket = await openRawRoomSocket(baseUrl, path, opts)
	try {
		const connect = await socket.client.connect()
		return { ...socket, connect, refused: null }
	} catch {
		const closed = await socket.client.waitClosed()
		return { ...socket, connect: null, refused: closed.reason }
	}
}
