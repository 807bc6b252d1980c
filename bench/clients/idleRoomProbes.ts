/**
 * One session in a room of its own, with probes that tell from outside whether the room object stayed in
 * memory over an idle period (scenario 5).
 *
 * tldraw rooms: the probe sends the first half of a push split the way tldraw chunks large messages, and
 * the second half after the idle period. TLSocketRoom keeps the first half in memory; if the room object
 * was dropped and re-created meanwhile (hibernation: the socket stays open), the second half arrives alone,
 * cannot be parsed, and the push is never acknowledged. A room that stayed in memory commits it.
 *
 * Raw (limit) rooms: the bench's broadcast object answers `{"type":"whoami"}` with an id drawn when it was
 * constructed; a different id after the idle period on the same socket means it was re-created.
 */
import type { BenchSystem } from '../systems/BenchSystem.ts'
import { onServerClose, openSocket, type BenchSocket } from './openSocket.ts'
import { firstPageId, geoShape, moveDiff } from './shapes.ts'
import { splitInTwoChunks } from './syncProtocol.ts'
import { TldrawProtocolClient } from './tldrawProtocolClient.ts'

const PROBE_SHAPE_ID = 'shape:probe'
const ANSWER_TIMEOUT_MS = 5_000

let nextX = Math.floor(Math.random() * 1e9)

export type SplitPushOutcome = 'kept' | 'lost'

export class TldrawIdleRoom {
	private readonly client: TldrawProtocolClient
	private pendingSplit: { clientClock: number; secondHalf: string } | null = null
	closedByServer = false

	private constructor(client: TldrawProtocolClient) {
		this.client = client
		client.onClose(() => (this.closedByServer = true))
	}

	/** Joins the room and adds one shape (the room's last change, which arms sync-worker's export alarm). */
	static async open(system: BenchSystem, roomId: string): Promise<TldrawIdleRoom> {
		const { client, connect } = await TldrawProtocolClient.join(system.roomUrl(roomId, `idle-${roomId}`))
		await client.pushAndWait({ [PROBE_SHAPE_ID]: ['put', geoShape(firstPageId(connect), PROBE_SHAPE_ID, 0, 0)] })
		return new TldrawIdleRoom(client)
	}

	/** Moves the shape; resolves with push → push_result in ms, or null without an answer. */
	ack(): Promise<number | null> {
		return this.awaitResult(() => this.client.push(moveDiff(PROBE_SHAPE_ID, nextX++))).then((r) => r?.ms ?? null)
	}

	beginSplitPush() {
		const { clientClock, text } = this.client.preparePush(moveDiff(PROBE_SHAPE_ID, nextX++))
		const [first, second] = splitInTwoChunks(text)
		this.client.sendRaw(first)
		this.pendingSplit = { clientClock, secondHalf: second }
	}

	async finishSplitPush(): Promise<SplitPushOutcome> {
		const pending = this.pendingSplit
		if (!pending) throw new Error('beginSplitPush first')
		this.pendingSplit = null
		const result = await this.awaitResult(() => {
			this.client.sendRaw(pending.secondHalf)
			return pending.clientClock
		})
		return result?.action === 'commit' ? 'kept' : 'lost'
	}

	close() {
		this.client.close()
	}

	private awaitResult(send: () => number): Promise<{ ms: number; action: unknown } | null> {
		return new Promise((resolve) => {
			let clientClock = -1
			const sentAt = performance.now()
			const timer = setTimeout(() => {
				off()
				resolve(null)
			}, ANSWER_TIMEOUT_MS)
			const off = this.client.onEvent((e, receivedAt) => {
				if (e.type !== 'push_result' || e.clientClock !== clientClock) return
				clearTimeout(timer)
				off()
				resolve({ ms: receivedAt - sentAt, action: e.action })
			})
			clientClock = send()
		})
	}
}

export class RawIdleRoom {
	private readonly socket: BenchSocket
	closedByServer = false

	private constructor(socket: BenchSocket) {
		this.socket = socket
		onServerClose(socket, () => (this.closedByServer = true))
	}

	static async open(system: BenchSystem, roomId: string): Promise<RawIdleRoom> {
		return new RawIdleRoom(await openSocket(system.roomUrl(roomId, `idle-${roomId}`), ANSWER_TIMEOUT_MS))
	}

	/** The id the room object drew when it was constructed. */
	async instanceId(): Promise<string> {
		const answer = this.socket.nextMessage(ANSWER_TIMEOUT_MS, (text) => text.includes('"whoami"'))
		this.socket.send('{"type":"whoami"}')
		return (JSON.parse((await answer).text) as { instanceId: string }).instanceId
	}

	close() {
		this.socket.close()
	}
}
