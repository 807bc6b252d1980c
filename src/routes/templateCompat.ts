/**
 * The routes tldraw's `sync-cloudflare` template client calls, so that client works against sync-worker
 * with only its server URL changed. It calls them under `/api` (stripApiPrefix removes it):
 * `useSync({ uri: <origin>/api/connect/<roomId> })`, its asset store's `POST`/`GET /api/uploads/<id>` and
 * its bookmark handler's `GET /api/unfurl?url=`. Signed-out callers are served only while anonymous rooms
 * are on, and limited per IP by ANONYMOUS_API_RATE_LIMITER (the worker wraps these in `apiRoute` with it).
 */
import { handleAnonymousUpload } from '../assets/uploadsApi'
import { getConfig } from '../config'
import type { Env } from '../env'
import { requireAnonymousRooms, type Req } from './request'
import type { Caller } from './routeSteps'
import { handleUnfurl } from '../unfurl/unfurlApi'

/** POST /api/uploads/:uploadId — no token, no file: same checks as signed-in uploads, MAX_ANONYMOUS_UPLOAD_BYTES. */
export async function uploadAnonymously(req: Req, env: Env): Promise<Response> {
	requireAnonymousRooms(env)
	return handleAnonymousUpload(req, env, { maxBytes: getConfig(env).maxAnonymousUploadBytes })
}

/** GET /unfurl and /api/unfurl: signed-in callers as before; signed-out ones while anonymous rooms are on, per IP. */
export async function unfurl(req: Req, env: Env, _ctx: ExecutionContext, { auth }: Caller): Promise<Response> {
	if (auth) return handleUnfurl(req, { auth })
	// Without anonymous rooms the route is for signed-in users only: 401 tells the caller to sign in.
	if (!getConfig(env).anonymousRooms) return handleUnfurl(req, { auth: null })
	return handleUnfurl(req, { auth: null, allowAnonymous: true })
}
