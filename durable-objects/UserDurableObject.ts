import { DurableObject } from 'cloudflare:workers'
import { z } from 'zod'
import { getConfig, type Config } from '../src/config'
import { createDb, type Db } from '../src/db/createDb'
import { getFile } from '../src/db/FileRepository'
import type { Env } from '../src/env'
import { ApiError, ErrorCode, errorResponse } from '../src/http/errors'
import { UserSocketCloseCode } from '../src/http/closedSocket'
import { createErrorReporter } from '../src/observability/reportError'
import type { RowChange, UserDelivery } from '../src/replication/types'
import { CommitTracker } from '../src/user/commitTracker'
import { loadInitialData } from '../src/user/loadInitialData'
import { planDelivery, StreamPositionSchema, type StreamPosition } from '../src/user/planDelivery'
import { compareLsn } from '../src/user/lsn'
import { parseClientMessage, toInitMessage, toWireChange, type ServerMessage } from '../src/user/protocol'
import { MutationBudget } from '../src/user/MutationBudget'
import { MutationRejectCode, runMutation, type MutationResult } from '../src/user/runMutation'
import { replicatorStub } from '../src/stubs'

/** Per socket, survives hibernation: changes committed at or before `initLsn` are already in its init. */
const AttachmentSchema = z.object({ socketId: z.string(), initLsn: z.string() })
type Attachment = z.infer<typeof AttachmentSchema>


/**
 * One per user (ARCHITECTURE.md §2, §4): the user-data socket. Sends initial data from one Postgres transaction,
 * forwards the user's replicated changes in order, and runs mutations, confirming each only once its
 * rows came back through replication. A gap in `seq` or a new stream id means changes may be missing:
 * every socket is re-initialised from Postgres.
 */
export class UserDurableObject extends DurableObject<Env> {
	private readonly config: Config
	private db: Db | null = null
	private userId: string | null = null
	private readonly tracker = new CommitTracker()
	private readonly budget: MutationBudget
	/** mutationId → socketId that sent it, to route its commit. */
	private readonly mutationSockets = new Map<string, string>()
	/** Deliveries that arrive while a socket's initial data is being read; replayed after it. */
	private readonly initializing = new Map<string, UserDelivery[]>()

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		this.budget = new MutationBudget(env.API_RATE_LIMITER)
		this.config = getConfig(env)
	}

	override async fetch(request: Request): Promise<Response> {
		const userId = request.headers.get('x-sync-user')
		if (!userId) return errorResponse(new ApiError(400, ErrorCode.BAD_REQUEST, 'missing user'))
		await this.ctx.storage.put('userId', userId)
		this.userId = userId
		const { 0: client, 1: server } = new WebSocketPair()
		this.ctx.acceptWebSocket(server)
		const socketId = crypto.randomUUID()
		try {
			// Register before reading the initial data, so no change committed after that read is missed.
			await this.ensureRegistered()
			await this.initSocket(server, socketId)
		} catch (err) {
			// The upgrade fails with a plain 500 (the client retries); the Worker passes it on without reporting it again.
			this.report(err, { during: 'connect' })
			closeQuietly(server, 4500, 'could not load your data, reconnect')
			return errorResponse(err)
		}
		return new Response(null, { status: 101, webSocket: client })
	}

	override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
		const attachment = readAttachment(ws)
		if (!attachment) return ws.close(4400, 'session lost, reconnect')
		const parsed = parseClientMessage(typeof message === 'string' ? message : new TextDecoder().decode(message))
		if (!parsed.ok) {
			// A bad mutation with a usable id is rejected like any other; anything else ends the socket.
			if (parsed.mutationId) return send(ws, { type: 'reject', mutationId: parsed.mutationId, code: MutationRejectCode.BAD_REQUEST, message: parsed.error })
			return ws.close(4400, `bad message: ${parsed.error}`.slice(0, 120))
		}
		const { mutationId } = parsed.message
		const userId = await this.getUserId()
		const refused = await this.budget.admit(userId).catch((err) => {
			this.report(err, { during: 'rate limit', mutationId })
			return 'the rate limiter is unavailable; retry later'
		})
		if (refused) return send(ws, { type: 'reject', mutationId, code: MutationRejectCode.RATE_LIMITED, message: refused })
		let result: MutationResult
		try {
			result = await runMutation(await this.getDb(), userId, parsed.message)
		} catch (err) {
			this.report(err, { during: 'mutation', mutationId })
			result = { ok: false, code: MutationRejectCode.INTERNAL, message: 'the mutation failed; nothing was changed' }
		} finally {
			this.budget.release()
		}
		if (!result.ok) return send(ws, { type: 'reject', mutationId, code: result.code, message: result.message })
		this.mutationSockets.set(mutationId, attachment.socketId)
		this.sendCommits(this.tracker.expect(mutationId, result.mutationNumber))
	}

	override async webSocketClose(ws: WebSocket, code: number) {
		try {
			ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, 'closing')
		} catch {
			// already closed
		}
		if (this.ctx.getWebSockets().filter((s) => s !== ws).length === 0) {
			await this.ctx.storage.delete('stream')
			await this.replicator().unregisterUser(await this.getUserId())
		}
	}

	// ── RPC from the replicator ──

	/** Returns false when nobody is connected, so the replicator stops sending. */
	async deliver(deliveries: UserDelivery[]): Promise<boolean> {
		const sockets = this.ctx.getWebSockets()
		if (sockets.length === 0) return false
		const plan = planDelivery(await this.streamPosition(), deliveries)
		for (const delivery of plan.forward) await this.forward(sockets, delivery)
		if (plan.kind === 'resync') await this.resyncAll()
		else if (plan.next) await this.ctx.storage.put('stream', plan.next)
		return true
	}

	/** The stream restarted from a new slot: every socket reloads from Postgres. */
	async resync(_streamId: string): Promise<void> {
		if (this.ctx.getWebSockets().length > 0) await this.resyncAll()
	}

	/**
	 * DELETE /app/me: the account is gone. Every socket closes (NOT_AUTHENTICATED) and this object forgets
	 * the user (its storage holds the user id and a stream position). Idempotent.
	 */
	async forgetUser(userId: string): Promise<void> {
		this.userId = userId
		for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, UserSocketCloseCode.NOT_AUTHENTICATED, 'NOT_AUTHENTICATED: account deleted')
		await this.replicator().unregisterUser(userId)
		await this.ctx.storage.deleteAll()
	}

	// ── internals ──

	private async forward(sockets: WebSocket[], delivery: UserDelivery) {
		const changes = await this.withSharedFiles(delivery.changes)
		for (const ws of sockets) {
			const attachment = readAttachment(ws)
			if (!attachment) continue
			const buffer = this.initializing.get(attachment.socketId)
			if (buffer) buffer.push({ ...delivery, changes })
			else sendChanges(ws, attachment, { ...delivery, changes })
		}
		for (const c of delivery.changes) {
			if (c.table === 'user_mutation_number') this.sendCommits(this.tracker.observe(Number(c.row.mutationNumber)))
		}
	}

	/** A file_state row for a file someone shared with this user comes with the file row, so clients can list it. */
	private async withSharedFiles(changes: RowChange[]): Promise<RowChange[]> {
		const extra: RowChange[] = []
		for (const c of changes) {
			if (c.table !== 'file_state' || c.op !== 'insert') continue
			const fileId = String(c.row.fileId)
			if (changes.some((o) => o.table === 'file' && o.row.id === fileId)) continue
			const file = await getFile(await this.getDb(), fileId)
			// Only a file they may open (shared, live): a visit recorded just before the owner unshared it must
			// not hand over the row as it is now.
			if (file && file.ownerId !== (await this.getUserId()) && file.shared && !file.isDeleted) extra.push({ table: 'file', op: 'insert', row: JSON.parse(JSON.stringify(file)), old: null })
		}
		return extra.length ? [...extra, ...changes] : changes
	}

	private sendCommits(mutationIds: string[]) {
		if (mutationIds.length === 0) return
		const bySocket = new Map<string, string[]>()
		for (const id of mutationIds) {
			const socketId = this.mutationSockets.get(id)
			this.mutationSockets.delete(id)
			if (socketId) bySocket.set(socketId, [...(bySocket.get(socketId) ?? []), id])
		}
		for (const ws of this.ctx.getWebSockets()) {
			const ids = bySocket.get(readAttachment(ws)?.socketId ?? '')
			if (ids) send(ws, { type: 'commit', mutationIds: ids })
		}
	}

	private async streamPosition(): Promise<StreamPosition | null> {
		const parsed = StreamPositionSchema.safeParse(await this.ctx.storage.get('stream'))
		return parsed.success ? parsed.data : null
	}

	private async ensureRegistered() {
		if (await this.streamPosition()) return
		await this.register()
	}

	private async register() {
		const db = await this.getDb()
		const userId = await this.getUserId()
		const fileIds = await db.selectFrom('file_state').select('fileId').where('userId', '=', userId).execute()
		const { streamId, nextSeq } = await this.replicator().registerUser(userId, fileIds.map((r) => r.fileId))
		await this.ctx.storage.put('stream', { streamId, nextSeq } satisfies StreamPosition)
	}

	private async resyncAll() {
		await this.register()
		for (const ws of this.ctx.getWebSockets()) {
			const attachment = readAttachment(ws)
			send(ws, { type: 'resync' })
			await this.initSocket(ws, attachment?.socketId ?? crypto.randomUUID())
		}
	}

	private async initSocket(ws: WebSocket, socketId: string) {
		this.initializing.set(socketId, [])
		ws.serializeAttachment({ socketId, initLsn: '0/0' } satisfies Attachment)
		let data: Awaited<ReturnType<typeof loadInitialData>>
		try {
			data = await loadInitialData(await this.getDb(), await this.getUserId())
		} catch (err) {
			this.initializing.delete(socketId)
			closeQuietly(ws, 4500, 'could not load your data, reconnect')
			throw err
		}
		const attachment = { socketId, initLsn: data.lsn } satisfies Attachment
		ws.serializeAttachment(attachment)
		send(ws, toInitMessage(data))
		const buffered = this.initializing.get(socketId) ?? []
		this.initializing.delete(socketId)
		for (const delivery of buffered) sendChanges(ws, attachment, delivery)
	}

	private async getUserId(): Promise<string> {
		this.userId ??= (await this.ctx.storage.get<string>('userId')) ?? null
		if (!this.userId) throw new Error('user Durable Object used before its first connection')
		return this.userId
	}

	private async getDb(): Promise<Db> {
		if (!this.db) {
			if (!this.config.databaseUrl) throw new Error('DATABASE_URL is not set')
			// Inside a Durable Object a connection may live across requests (unlike in the stateless Worker).
			this.db = createDb(this.config.databaseUrl).db
		}
		return this.db
	}

	private report(err: unknown, extra: Record<string, unknown>) {
		console.error('user object:', err, extra)
		createErrorReporter({ dsn: this.config.sentryDsn, waitUntil: (p) => this.ctx.waitUntil(p), component: 'user' }).captureException(err, { ...extra, userId: this.userId })
	}

	private replicator() {
		return replicatorStub(this.env)
	}
}

function readAttachment(ws: WebSocket): Attachment | null {
	const parsed = AttachmentSchema.safeParse(ws.deserializeAttachment())
	return parsed.success ? parsed.data : null
}

/** Changes committed at or before the socket's initial read are already in its init. */
function sendChanges(ws: WebSocket, attachment: Attachment, delivery: UserDelivery) {
	if (compareLsn(delivery.commitLsn, attachment.initLsn) <= 0) return
	send(ws, { type: 'changes', changes: delivery.changes.map((c) => toWireChange(c)) })
}

function closeQuietly(ws: WebSocket, code: number, reason: string) {
	try {
		ws.close(code, reason)
	} catch {
		// already closed
	}
}

function send(ws: WebSocket, message: ServerMessage | Record<string, unknown>) {
	try {
		ws.send(JSON.stringify(message))
	} catch {
		// closing socket: the client reconnects and gets a fresh init
	}
}
