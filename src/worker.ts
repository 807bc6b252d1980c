import { Router } from 'itty-router'
import { requireAuth } from './auth/authenticateRequest'
import { isAppPageRequest, serveAppPage } from './app/appPages'
import { handleAssetQueueBatch } from './assets/handleAssetQueueBatch'
import { handleGetUpload, handleUpload } from './assets/uploadsApi'
import { getConfig } from './config'
import type { Env } from './env'
import * as filesApi from './files/filesApi'
import { MAX_PATCH_FILE_BODY_BYTES, parseJsonBody, PatchFileBodySchema } from './files/schemas'
import { ApiError, ErrorCode, errorResponse, isExpectedError } from './http/errors'
import { filesCall, handleCors, requireId, stripApiPrefix, withRepo, type Req } from './routes/request'
import { adminRoute, apiRoute, isUpgrade, publicRoute, socketRoute } from './routes/routeSteps'
import { createErrorReporter } from './observability/reportError'
import * as admin from './routes/admin'
import { devSignIn } from './routes/devSignIn'
import * as documents from './routes/documents'
import * as me from './routes/me'
import { connectAnonymousRoom, connectReadonlyRoom, connectToFileRoom, connectUserSocket, denyRoomSocket, denyUserSocket, readonlySlug } from './routes/roomSockets'
import * as templateCompat from './routes/templateCompat'
import { replicatorStub } from './stubs'
import { handleDeadLetterBatch, handleWebhookBatch, WEBHOOK_DLQ_NAME, WEBHOOK_QUEUE_NAME } from './webhooks/handleWebhookQueues'

export { PurgeDurableObject } from '../durable-objects/PurgeDurableObject'
export { ReplicatorDurableObject } from '../durable-objects/ReplicatorDurableObject'
export { RoomDurableObject } from '../durable-objects/RoomDurableObject'
export { StatsDurableObject } from '../durable-objects/StatsDurableObject'
export { UserDurableObject } from '../durable-objects/UserDurableObject'

// Every route runs exactly one step of src/routes/routeSteps.ts (decode path params, authenticate,
// rate-limit) before its handler, which alone reads the body.
const router = Router<Req, [Env, ExecutionContext]>()
const roomSocket = (handler: Parameters<typeof socketRoute>[1]) => socketRoute(denyRoomSocket, handler)
/** The template client's routes: signed-out callers are charged to ANONYMOUS_API_RATE_LIMITER instead. */
const anonymousApiRoute = (handler: Parameters<typeof apiRoute>[0]) => apiRoute(handler, { anonymousLimiter: 'ANONYMOUS_API_RATE_LIMITER' })
const fileRoomSocket = roomSocket(connectToFileRoom)
const fileApi = apiRoute((req, env, _ctx, { auth }) => filesCall(env, auth, (deps) => filesApi.getFile(deps, { fileId: req.params.fileId! })).then((f) => Response.json(f)))

router
	.get('/health', publicRoute(() => Response.json({ ok: true })))
	// Anonymous rooms
	.get('/r/:roomId/readonly-slug', apiRoute(readonlySlug))
	.get('/r/:roomId', roomSocket(connectAnonymousRoom))
	.get('/ro/:slug', roomSocket(connectReadonlyRoom))
	// Files
	.post('/app/files', apiRoute(documents.createFileRoute))
	.get('/app/files', apiRoute(async (_req, env, _ctx, { auth }) => Response.json(await filesCall(env, auth, (deps) => filesApi.listFiles(deps)))))
	.get('/app/file/:fileId', (req, env, ctx) => (isUpgrade(req) ? fileRoomSocket(req, env, ctx) : fileApi(req, env, ctx)))
	.patch(
		'/app/file/:fileId',
		apiRoute(async (req, env, _ctx, { auth }) => {
			const fileId = requireId(req.params.fileId, 'fileId')
			requireAuth(auth)
			const body = await parseJsonBody(req, PatchFileBodySchema, MAX_PATCH_FILE_BODY_BYTES)
			return Response.json(await filesCall(env, auth, (deps) => filesApi.patchFile(deps, { fileId, body })))
		}),
	)
	.delete(
		'/app/file/:fileId',
		apiRoute(async (req, env, _ctx, { auth }) => {
			const fileId = requireId(req.params.fileId, 'fileId')
			return Response.json(await filesCall(env, auth, (deps) => filesApi.deleteFile(deps, { fileId })))
		}),
	)
	// Document API and history of a file
	.get('/app/file/:fileId/metadata', apiRoute(documents.getMetadata))
	.post('/app/file/:fileId/records', apiRoute(documents.postRecords))
	// Assets and bookmarks
	.post('/app/uploads/:objectName', apiRoute((req, env, _ctx, { auth }) => handleUpload(req, env, { auth, withRepo: (fn) => withRepo(env, fn) })))
	.get('/app/uploads/:objectName', publicRoute((req, env) => handleGetUpload(req, env)))
	.get('/unfurl', anonymousApiRoute(templateCompat.unfurl))
	// tldraw's sync-cloudflare template client (called as /api/connect, /api/uploads, /api/unfurl)
	.get('/connect/:roomId', roomSocket(connectAnonymousRoom))
	.post('/uploads/:uploadId', anonymousApiRoute(templateCompat.uploadAnonymously))
	.get('/uploads/:uploadId', publicRoute((req, env) => handleGetUpload(req, env)))
	// A user's own data
	.get('/app/me/export', apiRoute(me.exportMe))
	.get('/app/me/purge', apiRoute(me.purgeStatus))
	.delete('/app/me', apiRoute(me.deleteMe))
	// Local development only (absent unless .dev.vars enables it)
	.all('/app/dev/sign-in', apiRoute(devSignIn))
	// User data and replication
	.get('/app/:userId/connect', socketRoute(denyUserSocket, connectUserSocket))
	.get('/app/replicator-status', adminRoute(async (_req, env) => Response.json(await replicatorStub(env).status())))
	.post(
		'/app/admin/replicator/restart',
		adminRoute(async (_req, env) => {
			// The object aborts itself, so this call always ends in an error on our side.
			await replicatorStub(env)
				.restart()
				.catch(() => {})
			return Response.json({ restarting: true }, { status: 202 })
		}),
	)
	.get('/app/admin/rooms', adminRoute(admin.listRooms))
	.get('/app/admin/room/:roomKey', adminRoute(admin.getRoom))
	.get('/app/admin/metrics', adminRoute(admin.metrics))
	// Publishing and frozen snapshots
	.get('/app/publish/:slug', publicRoute(documents.getPublished))
	.post('/snapshots', apiRoute(documents.createSharedSnapshot))
	.get('/app/file/:fileId/snapshots', apiRoute(documents.listFileSnapshots))
	.delete('/app/file/:fileId/snapshots/:slug', apiRoute(documents.deleteFileSnapshot))
	.get('/snapshot/:slug', publicRoute(documents.getSharedSnapshot))

// The document routes of anonymous rooms and of files (resolveRoom tells them apart).
for (const room of ['/r/:roomId', '/app/file/:fileId']) {
	router
		.get(`${room}/snapshot`, apiRoute(documents.getSnapshot))
		.get(`${room}/download`, apiRoute(documents.downloadTldr))
		.get(`${room}/history`, apiRoute(documents.listHistory))
		.get(`${room}/history/:version`, apiRoute(documents.getVersion))
		.get(`${room}/history/:version/diff`, apiRoute(documents.diffHistory))
		.post(`${room}/history/:version/restore`, apiRoute(documents.restoreHistory))
}
router.all('*', () => {
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
