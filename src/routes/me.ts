/** A user's own data: GET /app/me/export (a .zip), DELETE /app/me (purge), GET /app/me/purge (its progress). */
import { z } from 'zod'
import { requireAuth } from '../auth/authenticateRequest'
import { getConfig } from '../config'
import { createDb } from '../db/createDb'
import type { Env } from '../env'
import { parseJsonBody } from '../files/schemas'
import { ApiError, ErrorCode } from '../http/errors'
import type { Req } from './request'
import type { Caller } from './routeSteps'
import { writeUserExport } from '../me/exportUserData'
import { createUserDataRepository } from '../me/UserDataRepository'
import { fileRoomAddress } from '../room/RoomAddress'
import { fileRoomStub, purgeStub } from '../stubs'

function databaseUrl(env: Env): string {
	const url = getConfig(env).databaseUrl
	if (!url) throw new ApiError(500, ErrorCode.NOT_CONFIGURED, 'DATABASE_URL is not set')
	return url
}

/** GET /app/me/export: streamed, one file at a time, so a large account never sits in memory. */
export async function exportMe(_req: Req, env: Env, ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const auth = requireAuth(caller.auth)
	const { db, close } = createDb(databaseUrl(env))
	// Fail before the 200 when Postgres is down, rather than with a truncated zip.
	const repo = createUserDataRepository(db)
	await repo.getUser(auth.userId).catch(async (err) => {
		await close()
		throw err
	})
	const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
	const writer = writable.getWriter()
	const readDocument = async (file: { id: string; createSource: string | null }) => (await fileRoomStub(env, file.id).readSnapshot(fileRoomAddress(file))).snapshot
	ctx.waitUntil(
		writeUserExport(auth.userId, { repo, readDocument }, (chunk) => writer.write(chunk))
			.then(() => writer.close())
			.catch(async (err) => {
				console.error('export failed:', err)
				// The client sees a broken download, never a zip that looks complete.
				await writer.abort(err).catch(() => {})
			})
			.finally(close),
	)
	return new Response(readable, {
		headers: {
			'Content-Type': 'application/zip',
			'Content-Disposition': `attachment; filename="sync-worker-export-${auth.userId.replace(/[^\w-]/g, '_')}.zip"`,
			'Cache-Control': 'no-store',
		},
	})
}

const DeleteMeBodySchema = z.strictObject({ confirm: z.string().max(256) })

/**
 * DELETE /app/me { "confirm": "<your user id>" }: purges everything the user owns. 200 when done, 202
 * while it runs (PURGE_STEP_DELAY_MS); calling it again resumes or repeats it harmlessly.
 */
export async function deleteMe(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const auth = requireAuth(caller.auth)
	const body = await parseJsonBody(req, DeleteMeBodySchema, 1024)
	if (body.confirm !== auth.userId) {
		throw new ApiError(400, ErrorCode.CONFIRMATION_REQUIRED, 'send { "confirm": "<your user id>" } to delete your account and everything you own')
	}
	databaseUrl(env)
	const status = await purgeStub(env, auth.userId).start(auth.userId)
	return Response.json(status, { status: status.state === 'done' ? 200 : 202 })
}

/** GET /app/me/purge: `{ state: 'idle' }`, or the running job's progress. */
export async function purgeStatus(_req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const auth = requireAuth(caller.auth)
	return Response.json(await purgeStub(env, auth.userId).status())
}
