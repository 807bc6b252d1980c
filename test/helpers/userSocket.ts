import { DEFAULT_WAIT_MS, waitFor } from './waitFor.ts'

/** A client of the user-data socket (/app/:userId/connect) that records every server message. */
export interface UserSocketMessage {
	type: string
	[key: string]: unknown
}

export class UserSocketClient {
	readonly messages: UserSocketMessage[] = []
	closed: { code: number; reason: string } | null = null
	private counter = 0

	readonly ws: WebSocket

	private constructor(ws: WebSocket) {
		this.ws = ws
		ws.addEventListener('message', (ev) => this.messages.push(JSON.parse(String(ev.data)) as UserSocketMessage))
		ws.addEventListener('close', (ev) => (this.closed = { code: ev.code, reason: ev.reason }))
	}

	static async open(baseUrl: string, userId: string, token: string): Promise<UserSocketClient> {
		const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/app/${userId}/connect?accessToken=${encodeURIComponent(token)}`)
		const client = new UserSocketClient(ws)
		await new Promise((resolve, reject) => {
			ws.addEventListener('open', resolve, { once: true })
			ws.addEventListener('error', reject, { once: true })
		})
		return client
	}

	/** The first message matching `pred`; fails at once if the socket closes first. */
	async waitFor(pred: (m: UserSocketMessage) => boolean, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<UserSocketMessage> {
		return waitFor(
			() => {
				const found = this.messages.find(pred)
				if (!found && this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) waiting for ${what}`)
				return found
			},
			`${what} (got ${this.messages.length} messages so far)`,
			timeoutMs,
		)
	}

	/** All replicated row changes received so far, flattened. */
	changes(): Array<{ table: string; op: string; row: Record<string, unknown> }> {
		return this.messages.filter((m) => m.type === 'changes').flatMap((m) => m.changes as never)
	}

	mutate(name: string, args: Record<string, unknown>): string {
		const mutationId = `m${++this.counter}-${Math.random().toString(36).slice(2, 8)}`
		this.ws.send(JSON.stringify({ type: 'mutate', mutationId, name, args }))
		return mutationId
	}

	/** Resolves with 'commit' or the reject message for `mutationId`. */
	async outcome(mutationId: string, timeoutMs = DEFAULT_WAIT_MS): Promise<UserSocketMessage> {
		return this.waitFor(
			(m) => (m.type === 'commit' && (m.mutationIds as string[]).includes(mutationId)) || (m.type === 'reject' && m.mutationId === mutationId),
			`the outcome of ${mutationId}`,
			timeoutMs,
		)
	}

	close() {
		this.ws.close(1000)
	}
}
