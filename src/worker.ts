import { Router } from 'itty-router'
import { isAppPageRequest, serveAppPage } from './app/appPages'
import { handleAssetQueueBatch } from './assets/handleAssetQueueBatch'
import { handleGetUpload, handleUpload } from './assets/uploadsApi'
import { getConfig } from './config'
import type { Env } from './env'
import * as filesApi from './files/filesApi'
import { MAX_PATCH_FILE_BODY_BYTES, parseJsonBody, PatchFileBodySchema } from './files/schemas'
import { ApiError, ErrorCode, errorResponse, isExpectedError } from './http/errors'
import { enforceRateLimit, rateLimitKey } from './http/rateLimit'
import { apiCall, authenticate, handleCors, isUpgrade, requireAdmin, requireId, stripApiPrefix, withRepo, type Req } from './http/request'
import { createErrorReporter } from './observability/reportError'
import * as admin from './routes/admin'
import { devSignIn } from './routes/devSignIn'
import * as documents from './routes/documents'
import * as templateCompat from './routes/templateCompat'
import * as me from './routes/me'
import { connectAnonymousRoom, connectReadonlyRoom, connectToFileRoom, connectUserSocket, readonlySlug } from './routes/roomSockets'
import { replicatorStub } from './stubs'
import { handleDeadLetterBatch, handleWebhookBatch, WEBHOOK_DLQ_NAME, WEBHOOK_QUEUE_NAME } from './webhooks/handleWebhookQueues'

export { PurgeDurableObject } from '../durable-objects/PurgeDurableObject'
export { ReplicatorDurableObject } from '../durable-objects/ReplicatorDurableObject'
export { RoomDurableObject } from '../durable-objects/RoomDurableObject'
export { StatsDurableObject } from '../durable-objects/StatsDurableObject'
export { UserDurableObject } from '../durable-objects/UserDurableObject'

const router = Router<Req, [Env, ExecutionContext]>()

router
	.get('/health', () => Response.json({ ok: true }))
	// Anonymous rooms
	.get('/r/:roomId/readonly-slug', readonlySlug)
	.get('/r/:roomId', connectAnonymousRoom)
	.get('/ro/:slug', connectReadonlyRoom)
	.get('/r/:roomId/history', documents.listHistory)
	.get('/r/:roomId/history/:version', documents.getVersion)
	.get('/r/:roomId/history/:version/diff', documents.diffHistory)
	.post('/r/:roomId/history/:version/restore', documents.restoreHistory)
	.get('/r/:roomId/snapshot', documents.getSnapshot)
	.get('/r/:roomId/download', documents.downloadTldr)
	// Files
	.post('/app/files', documents.createFileRoute)
	.get('/app/files', async (req, env) => Response.json(await apiCall(req, env, (deps) => filesApi.listFiles(deps))))
	.get('/app/file/:fileId', async (req, env, ctx) => {
		const fileId = requireId(req.params.fileId, 'fileId')
		if (isUpgrade(req)) return connectToFileRoom(req, env, ctx, fileId)
		return Response.json(await apiCall(req, env, (deps) => filesApi.getFile(deps, { fileId })))
	})
	.patch('/app/file/:fileId', async (req, env) => {
		const fileId = requireId(req.params.fileId, 'fileId')
		const body = await parseJsonBody(req, PatchFileBodySchema, MAX_PATCH_FILE_BODY_BYTES)
		return Response.json(await apiCall(req, env, (deps) => filesApi.patchFile(deps, { fileId, body })))
	})
	.delete('/app/file/:fileId', async (req, env) => {
		const fileId = requireId(req.params.fileId, 'fileId')
		return Response.json(await apiCall(req, env, (deps) => filesApi.deleteFile(deps, { fileId })))
	})
	// Document API and history of a file
	.get('/app/file/:fileId/snapshot', documents.getSnapshot)
	.get('/app/file/:fileId/metadata', documents.getMetadata)
	.post('/app/file/:fileId/records', documents.postRecords)
	.get('/app/file/:fileId/download', documents.downloadTldr)
	.get('/app/file/:fileId/history', documents.listHistory)
	.get('/app/file/:fileId/history/:version', documents.getVersion)
	.get('/app/file/:fileId/history/:version/diff', documents.diffHistory)
	.post('/app/file/:fileId/history/:version/restore', documents.restoreHistory)
	// Assets and bookmarks
	.post('/app/uploads/:objectName', async (req, env) => {
		const auth = await authenticate(req, env)
		await enforceRateLimit(env.API_RATE_LIMITER, rateLimitKey(req, auth?.userId ?? null))
		return handleUpload(req, env, { auth, withRepo: (fn) => withRepo(env, fn) })
	})
	.get('/app/uploads/:objectName', (req, env) => handleGetUpload(req, env))
	.get('/unfurl', templateCompat.unfurl)
	// tldraw's sync-cloudflare template client (called as /api/connect, /api/uploads, /api/unfurl)
	.get('/connect/:roomId', connectAnonymousRoom)
	.post('/uploads/:uploadId', templateCompat.uploadAnonymously)
	.get('/uploads/:uploadId', (req, env) => handleGetUpload(req, env))
	// A user's own data
	.get('/app/me/export', me.exportMe)
	.get('/app/me/purge', me.purgeStatus)
	.delete('/app/me', me.deleteMe)
	// Local development only (absent unless .dev.vars enables it)
	.all('/app/dev/sign-in', devSignIn)
	// User data and replication
	.get('/app/:userId/connect', connectUserSocket)
	.get('/app/replicator-status', async (req, env) => {
		requireAdmin(req, env)
		return Response.json(await replicatorStub(env).status())
	})
	.post('/app/admin/replicator/restart', async (req, env) => {
		requireAdmin(req, env)
		// The object aborts itself, so this call always ends in an error on our side.
		await replicatorStub(env)
			.restart()
			.catch(() => {})
		return Response.json({ restarting: true }, { status: 202 })
	})
	.get('/app/admin/rooms', admin.listRooms)
	.get('/app/admin/room/:roomKey', admin.getRoom)
	.get('/app/admin/metrics', admin.metrics)
	// Publishing and frozen snapshots (public)
	.get('/app/publish/:slug', documents.getPublished)
	.post('/snapshots', documents.createSharedSnapshot)
	.get('/snapshot/:slug', documents.getSharedSnapshot)
	.all('*', () => {
		throw new ApiError(404, ErrorCode.NOT_FOUND, 'no such route')
	})

export default {
	async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
		let config
		try {
			config = getConfig(env)
		} catch (err) {
			// A misconfigured deployment answers 500 JSON on every route; the log names the variable.
			console.error(err)
			return errorResponse(err)
		}
		// A browser opening an app page (/r/<roomId>, /f/<fileId>, …) gets the web app; its socket and API
		// calls on the same paths carry no text/html Accept header and go to the routes below.
		if (isAppPageRequest(request)) return serveAppPage(request, env.ASSETS)
		const { preflight, corsify } = handleCors(env)
		const req = stripApiPrefix(request)
		const pre = preflight(req as Req)
		if (pre) return pre
		let response: Response
		try {
			response = await router.fetch(req, env, ctx)
		} catch (err) {
			if (!isExpectedError(err)) {
				console.error('unexpected error', err)
				createErrorReporter({ dsn: config.sentryDsn, waitUntil: (p) => ctx.waitUntil(p), request, component: 'worker' }).captureException(err)
			}
			response = errorResponse(err)
		}
		// WebSocket upgrade responses are immutable; CORS does not apply to them anyway.
		return response.status === 101 ? response : corsify(response, req)
	},

	/**
	 * Queue consumers: asset rows of stored uploads (idempotent, retried with backoff), webhook
	 * deliveries, and the webhooks' dead letters.
	 */
	async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
		switch (batch.queue) {
			case WEBHOOK_QUEUE_NAME:
				return handleWebhookBatch(batch, env)
			case WEBHOOK_DLQ_NAME:
				return handleDeadLetterBatch(batch, env)
			default:
				return handleAssetQueueBatch(batch, env)
		}
	},
} satisfies ExportedHandler<Env>
