/** Request helpers shared by the routes: parsing and a per-request repository (auth and rate limits: routeSteps.ts). */
import { cors, type IRequest } from 'itty-router'
import type { Auth } from '../auth/authenticateRequest'
import { getConfig } from '../config'
import { createDb } from '../db/createDb'
import { createFileRepository, type FileRepository } from '../db/FileRepository'
import type { Env } from '../env'
import { applyFileRowChange, fileRowChangeDeps } from '../files/applyFileRowChange'
import type * as filesApi from '../files/filesApi'
import { createR2ImportStore } from '../room/ImportStore'
import { VERSION_RE } from '../files/schemas'
import { importSnapshotKey, isValidId } from '../storage/keys'
import { ApiError, ErrorCode } from '../http/errors'

export type Req = IRequest & { env: Env }

export function requireId(value: string | undefined, what: string): string {
	if (!value || !isValidId(value)) {
		throw new ApiError(400, ErrorCode.INVALID_ID, `${what} must match ^[A-Za-z0-9_-]{1,128}$`)
	}
	return value
}

export function requireSessionId(req: Request): string {
	// useSync adds sessionId (one per tab) and storeId to the URL it is given.
	const sessionId = new URL(req.url).searchParams.get('sessionId')
	if (!sessionId || sessionId.length > 128) {
		throw new ApiError(400, ErrorCode.BAD_REQUEST, 'sessionId query parameter is required (1-128 characters)')
	}
	return sessionId
}

export function requireAnonymousRooms(env: Env) {
	if (!getConfig(env).anonymousRooms) throw new ApiError(404, ErrorCode.NOT_FOUND, 'anonymous rooms are disabled')
}

/**
 * Runs `fn` with a Postgres-backed repository. The stateless Worker opens one connection per request and
 * always ends it: a pool reused across requests hangs in workerd.
 */
export async function withRepo<T>(env: Env, fn: (repo: FileRepository) => Promise<T>): Promise<T> {
	const url = getConfig(env).databaseUrl
	if (!url) throw new ApiError(500, ErrorCode.NOT_CONFIGURED, 'DATABASE_URL is not set')
	const { db, close } = createDb(url)
	try {
		return await fn(createFileRepository(db))
	} finally {
		await close()
	}
}

export function filesDeps(env: Env, repo: FileRepository, auth: Auth | null): filesApi.FilesApiDeps {
	return {
		repo,
		auth,
		imports: createR2ImportStore(env.SNAPSHOTS, importSnapshotKey),
		maxDocumentBytes: getConfig(env).maxDocumentBytes,
		// Applied before the response (so revocation is immediate); the replicator applies it again for
		// changes made anywhere — both idempotent.
		onFileChanged: (before, after) => applyFileRowChange(fileRowChangeDeps(env), before, after),
	}
}

/** Runs a files API call for an already authenticated and rate-limited caller (see routeSteps.ts). */
export function filesCall<T>(env: Env, auth: Auth | null, fn: (deps: filesApi.FilesApiDeps) => Promise<T>): Promise<T> {
	return withRepo(env, (repo) => fn(filesDeps(env, repo, auth)))
}

export function requireVersion(value: string | undefined): string {
	if (!value || !VERSION_RE.test(value)) throw new ApiError(400, ErrorCode.BAD_REQUEST, 'version must be a history version such as 2026-11-23T09:05:01.002Z')
	return value
}

/** Every route also answers under `/api`, so one origin can serve an app and its API. */
export function stripApiPrefix(request: Request): Request {
	const url = new URL(request.url)
	if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return request
	url.pathname = url.pathname.slice(4) || '/'
	return new Request(url, request)
}

export function handleCors(env: Env) {
	const origins = getConfig(env).allowedOrigins
	return cors({
		origin: origins.includes('*') ? '*' : (origin: string) => (origins.includes(origin) ? origin : undefined),
		allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
		allowHeaders: ['Authorization', 'Content-Type'],
		exposeHeaders: ['Retry-After'],
		maxAge: 86_400,
	})
}
