/**
 * The benchmark's upper bound: what workerd itself costs to relay a message to every other socket of a
 * Durable Object. Same routing shape as sync-worker (`/r/:roomId` → one object per room, hibernatable
 * sockets, auto-answered pings), minus tldraw and storage.
 */
import { DurableObject } from 'cloudflare:workers'

interface Env {
	ROOM: DurableObjectNamespace<BroadcastRoom>
	DURABLE_ROOM: DurableObjectNamespace<DurableBroadcastRoom>
}

/** `/r/:roomId` is the relay; `/durable/r/:roomId` the relay that stores each message first. */
const ROOM_PATH = /^(\/durable)?\/r\/([A-Za-z0-9_-]{1,128})$/

/**
 * Not relayed: the object answers it with the id it drew when constructed. The benchmark asks before and
 * after an idle period; a new id on the same open socket means the object hibernated and was re-created.
 */
const WHOAMI = '{"type":"whoami"}'

export class BroadcastRoom extends DurableObject<Env> {
	private readonly instanceId = crypto.randomUUID()

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		// The same auto-response as sync-worker, so client pings neither wake the object nor get broadcast.
		ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'))
	}

	override async fetch(): Promise<Response> {
		const { 0: client, 1: server } = new WebSocketPair()
		this.ctx.acceptWebSocket(server)
		return new Response(null, { status: 101, webSocket: client })
	}

	override async webSocketMessage(sender: WebSocket, message: string | ArrayBuffer) {
		if (message === WHOAMI) return sender.send(JSON.stringify({ type: 'whoami', instanceId: this.instanceId }))
		for (const ws of this.ctx.getWebSockets()) {
			if (ws !== sender && ws.readyState === WebSocket.OPEN) ws.send(message)
		}
	}

	override async webSocketClose(ws: WebSocket, code: number) {
		// Echoing reserved codes (1005, 1006, 1015) throws.
		try {
			ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, 'closing')
		} catch {
			// already closed
		}
	}
}

/**
 * The "limit-durable" system: the same relay, but each message is first written into the object's SQLite.
 * workerd's output gate holds the relayed sends until that write is durable, which is the contract a
 * durable room keeps (sync-worker acknowledges a push only once SQLiteSyncStorage committed it), so this is
 * the least work any durable room on this runtime can do per message.
 */
export class DurableBroadcastRoom extends BroadcastRoom {
	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)')
	}

	override async webSocketMessage(sender: WebSocket, message: string | ArrayBuffer) {
		if (message !== WHOAMI) this.ctx.storage.sql.exec('INSERT INTO messages (body) VALUES (?)', typeof message === 'string' ? message : new TextDecoder().decode(message))
		return super.webSocketMessage(sender, message)
	}
}

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		const url = new URL(request.url)
		if (url.pathname === '/health') return Response.json({ ok: true })
		const match = ROOM_PATH.exec(url.pathname)
		if (!match) return new Response('not found', { status: 404 })
		if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return new Response('upgrade required', { status: 426 })
		const namespace = match[1] ? env.DURABLE_ROOM : env.ROOM
		return namespace.get(namespace.idFromName(match[2]!)).fetch(request)
	},
} satisfies ExportedHandler<Env>
