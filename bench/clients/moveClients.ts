/**
 * Clients that move one shape and see each other's moves, over either protocol: tldraw's sync protocol
 * (sync-worker, baselines) or raw relayed frames (limit). A raw frame is byte for byte the tldraw push,
 * so both carry the same payload.
 */
import type { BenchSystem } from '../systems/BenchSystem.ts'
import { onServerClose, openSocket, type BenchSocket } from './openSocket.ts'
import { firstPageId, geoShape, moveDiff, movedX, MOVED_SHAPE_ID } from './shapes.ts'
import { TldrawProtocolClient } from './tldrawProtocolClient.ts'

export interface MoveClient {
	/** Moves the shared shape to `x`; x values must be unique (an unchanged value is not broadcast). */
	sendMove(x: number): void
	/** Every move by another client, as it arrives. */
	onMove(listener: (x: number, receivedAt: number) => void): void
	/** The server's acknowledgement (`push_result`) of this client's own move; never fires for `raw`. */
	onAck(listener: (x: number, receivedAt: number) => void): void
	/** The server (or the network) closed the socket; not called for our own close(). */
	onClose(listener: (code: number, reason: string) => void): void
	close(): void
}

const JOIN_CONCURRENCY = 20
const JOIN_TIMEOUT_MS = 30_000

/** `count` clients in one room; the first makes sure the moved shape exists before the others join. */
export async function connectMoveClients(system: BenchSystem, roomId: string, count: number): Promise<MoveClient[]> {
	const clients: MoveClient[] = [await connectMoveClient(system, roomId, 0)]
	try {
		for (let i = 1; i < count; i += JOIN_CONCURRENCY) {
			const batch = Array.from({ length: Math.min(JOIN_CONCURRENCY, count - i) }, (_, j) => connectMoveClient(system, roomId, i + j))
			clients.push(...(await Promise.all(batch)))
		}
	} catch (err) {
		closeAll(clients)
		throw err
	}
	return clients
}

export function closeAll(clients: MoveClient[]) {
	for (const c of clients) c.close()
}

async function connectMoveClient(system: BenchSystem, roomId: string, index: number): Promise<MoveClient> {
	const url = system.roomUrl(roomId, `bench-${roomId}-${index}-${Math.random().toString(36).slice(2, 8)}`)
	return system.protocol === 'tldraw' ? connectTldrawMoveClient(url, index === 0) : rawMoveClient(await openSocket(url, JOIN_TIMEOUT_MS))
}

async function connectTldrawMoveClient(url: string, createShape: boolean): Promise<MoveClient> {
	const { client, connect } = await TldrawProtocolClient.join(url, JOIN_TIMEOUT_MS)
	if (createShape && !connect.diff[MOVED_SHAPE_ID]) {
		await client.pushAndWait({ [MOVED_SHAPE_ID]: ['put', geoShape(firstPageId(connect), MOVED_SHAPE_ID, 0, 0)] })
	}
	const sentX = new Map<number, number>()
	const moveListeners: Array<(x: number, t: number) => void> = []
	const ackListeners: Array<(x: number, t: number) => void> = []
	client.onEvent((event, receivedAt) => {
		if (event.type === 'patch') {
			const x = movedX(event.diff, MOVED_SHAPE_ID)
			if (x !== undefined) for (const l of moveListeners) l(x, receivedAt)
		} else if (event.type === 'push_result') {
			const x = sentX.get(event.clientClock)
			sentX.delete(event.clientClock)
			if (x !== undefined) for (const l of ackListeners) l(x, receivedAt)
		}
	})
	return {
		sendMove: (x) => sentX.set(client.push(moveDiff(MOVED_SHAPE_ID, x)), x),
		onMove: (l) => moveListeners.push(l),
		onAck: (l) => ackListeners.push(l),
		onClose: (l) => client.onClose(l),
		close: () => client.close(),
	}
}

function rawMoveClient(socket: BenchSocket): MoveClient {
	let clientClock = 0
	const moveListeners: Array<(x: number, t: number) => void> = []
	socket.onMessage((text, receivedAt) => {
		const msg = JSON.parse(text) as { type?: string; diff?: Parameters<typeof movedX>[0] }
		const x = msg.type === 'push' ? movedX(msg.diff, MOVED_SHAPE_ID) : undefined
		if (x !== undefined) for (const l of moveListeners) l(x, receivedAt)
	})
	return {
		sendMove: (x) => socket.send(JSON.stringify({ type: 'push', clientClock: ++clientClock, diff: moveDiff(MOVED_SHAPE_ID, x) })),
		onMove: (l) => moveListeners.push(l),
		onAck: () => {},
		onClose: (l) => onServerClose(socket, l),
		close: () => socket.close(),
	}
}
