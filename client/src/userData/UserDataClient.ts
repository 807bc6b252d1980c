import { parseServerMessage, type Mutation, type WireFileRow } from '../../../src/user/protocol'
import { apiJson } from '../api'
import { socketUrl } from '../config'
import { addFetchedFile, applyServerMessage, EMPTY_USER_DATA, missingFileIds, type UserDataState } from './userDataState'

export type UserDataStatus = 'connecting' | 'online' | 'offline' | 'closed'
export type UserDataSnapshot = { status: UserDataStatus; data: UserDataState; error: string | null }

/** The user socket closes with 4401/4403 when the token is missing, bad or someone else's: retrying won't help. */
const FATAL_CLOSE_CODES = new Set([4401, 4403])
const RECONNECT_MIN_MS = 500
const RECONNECT_MAX_MS = 10_000

/**
 * Keeps one user-data socket open (reconnecting with backoff), applies what it delivers, and runs
 * mutations: `mutate` resolves once the server's `commit` says the change has come back through
 * replication, so the list already shows it.
 */
export class UserDataClient {
	private socket: WebSocket | null = null
	private snapshot: UserDataSnapshot = { status: 'connecting', data: EMPTY_USER_DATA, error: null }
	private pending = new Map<string, { resolve: () => void; reject: (err: Error) => void }>()
	private fetching = new Set<string>()
	private retryMs = RECONNECT_MIN_MS
	private retryTimer: ReturnType<typeof setTimeout> | null = null
	private stopped = false

	constructor(
		private readonly userId: string,
		private readonly getToken: () => Promise<string | null>,
		private readonly onChange: (snapshot: UserDataSnapshot) => void,
	) {}

	start() {
		void this.connect()
	}

	stop() {
		this.stopped = true
		if (this.retryTimer) clearTimeout(this.retryTimer)
		this.socket?.close(1000, 'bye')
		this.failPending('closed')
	}

	mutate(mutation: Mutation): Promise<void> {
		const mutationId = crypto.randomUUID()
		const socket = this.socket
		if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected to your data; try again in a moment'))
		return new Promise((resolve, reject) => {
			this.pending.set(mutationId, { resolve, reject })
			socket.send(JSON.stringify({ type: 'mutate', mutationId, ...mutation }))
		})
	}

	private set(update: Partial<UserDataSnapshot>) {
		this.snapshot = { ...this.snapshot, ...update }
		this.onChange(this.snapshot)
	}

	private async connect() {
		if (this.stopped) return
		this.set({ status: this.snapshot.status === 'online' ? 'offline' : this.snapshot.status === 'closed' ? 'closed' : 'connecting' })
		let token: string | null
		try {
			token = await this.getToken()
		} catch (err) {
			this.set({ status: 'offline', error: `could not get a session token: ${err instanceof Error ? err.message : err}` })
			return this.scheduleReconnect()
		}
		if (this.stopped) return
		const socket = new WebSocket(socketUrl(`/app/${encodeURIComponent(this.userId)}/connect?accessToken=${encodeURIComponent(token ?? '')}`))
		this.socket = socket
		socket.onmessage = (event) => this.handleMessage(String(event.data))
		socket.onclose = (event) => {
			if (this.socket !== socket) return
			this.socket = null
			this.failPending('connection lost before the server confirmed the change')
			if (this.stopped) return
			if (FATAL_CLOSE_CODES.has(event.code)) return this.set({ status: 'closed', error: event.reason || `closed (${event.code})` })
			this.set({ status: 'offline' })
			this.scheduleReconnect()
		}
	}

	private scheduleReconnect() {
		if (this.stopped) return
		this.retryTimer = setTimeout(() => void this.connect(), this.retryMs)
		this.retryMs = Math.min(RECONNECT_MAX_MS, this.retryMs * 2)
	}

	private handleMessage(text: string) {
		const parsed = parseServerMessage(text)
		if (!parsed.ok) {
			console.warn('user socket: unexpected message', parsed.error)
			return
		}
		const message = parsed.message
		if (message.type === 'init') this.retryMs = RECONNECT_MIN_MS
		if (message.type === 'commit') {
			for (const id of message.mutationIds) this.settle(id, null)
		} else if (message.type === 'reject') {
			this.settle(message.mutationId, new Error(`${message.message} (${message.code})`))
		}
		const data = applyServerMessage(this.snapshot.data, message, this.userId)
		this.set({ data, status: message.type === 'init' ? 'online' : this.snapshot.status, error: message.type === 'init' ? null : this.snapshot.error })
		for (const fileId of missingFileIds(data)) void this.fetchFile(fileId)
	}

	/** The socket sends my new file state for a file shared with me, but not the file itself: ask the API once. */
	private async fetchFile(fileId: string) {
		if (this.fetching.has(fileId)) return
		this.fetching.add(fileId)
		try {
			const file = await apiJson<WireFileRow & { isOwner: boolean }>(`/app/file/${fileId}`, { token: this.getToken })
			this.set({ data: addFetchedFile(this.snapshot.data, { ...file, isDeleted: false }) })
		} catch (err) {
			console.warn(`could not load file ${fileId}`, err)
		} finally {
			this.fetching.delete(fileId)
		}
	}

	private settle(mutationId: string, error: Error | null) {
		const entry = this.pending.get(mutationId)
		if (!entry) return
		this.pending.delete(mutationId)
		if (error) entry.reject(error)
		else entry.resolve()
	}

	private failPending(reason: string) {
		for (const [id, entry] of this.pending) {
			entry.reject(new Error(reason))
			this.pending.delete(id)
		}
	}
}
