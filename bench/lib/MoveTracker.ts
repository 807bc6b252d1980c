/**
 * Times moves from the writer (client 0) until every other client has received them: one sample per move
 * is the fan-out latency, the slowest receiver's arrival minus the send time, all on this process's clock.
 * x values only grow, so a receiver that already has a later move also has this one's effect (a server
 * may coalesce consecutive patches of one record); that counts as delivered.
 */
import type { MoveClient } from '../clients/moveClients.ts'

interface InFlight {
	sentAt: number
	waiting: number
	resolve: (latencyMs: number | null) => void
	timer: ReturnType<typeof setTimeout>
}

export interface ServerClose {
	client: number
	code: number
	reason: string
}

export class MoveTracker {
	/** In send order, which is ascending x. */
	private readonly inFlight = new Map<number, InFlight>()
	private readonly sentAt = new Map<number, number>()
	private readonly highestSeen: number[]
	/** Writer's send → its own `push_result`, ms (tldraw systems only). */
	readonly ackMs: number[] = []
	/** Sockets the server closed while tracked (e.g. a rate limit): the samples after it are not valid. */
	readonly serverCloses: ServerClose[] = []
	private readonly clients: MoveClient[]
	private readonly timeoutMs: number
	private nextX: number

	constructor(clients: MoveClient[], timeoutMs: number) {
		if (clients.length < 2) throw new Error('fan-out needs a writer and at least one receiver')
		this.clients = clients
		this.timeoutMs = timeoutMs
		// Start from a value the shape has never had: an unchanged x would not be broadcast.
		this.nextX = Math.floor(Math.random() * 1e9)
		this.highestSeen = clients.map(() => this.nextX - 1)
		clients.forEach((c, i) => {
			if (i > 0) c.onMove((x, t) => this.received(i, x, t))
			c.onClose((code, reason) => this.serverCloses.push({ client: i, code, reason }))
		})
		clients[0]!.onAck((x, t) => {
			const sent = this.sentAt.get(x)
			if (sent !== undefined) this.ackMs.push(t - sent)
			this.sentAt.delete(x)
		})
	}

	/** Sends one move; resolves with its fan-out latency in ms, or null if some client lacked it after the timeout. */
	move(): Promise<number | null> {
		const x = this.nextX++
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.inFlight.delete(x)
				resolve(null)
			}, this.timeoutMs)
			const sentAt = performance.now()
			this.inFlight.set(x, { sentAt, waiting: this.clients.length - 1, resolve, timer })
			this.sentAt.set(x, sentAt)
			this.clients[0]!.sendMove(x)
		})
	}

	private received(client: number, x: number, receivedAt: number) {
		const previous = this.highestSeen[client]!
		if (x <= previous) return
		this.highestSeen[client] = x
		for (const [movedX, entry] of this.inFlight) {
			if (movedX > x) break
			if (movedX <= previous || --entry.waiting > 0) continue
			clearTimeout(entry.timer)
			this.inFlight.delete(movedX)
			entry.resolve(receivedAt - entry.sentAt)
		}
	}
}
