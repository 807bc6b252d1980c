/** HTTP routes over a room's document: history, snapshots, records, downloads, duplicates. */
import type { RoomSnapshot } from '@tldraw/sync-core'
import { z } from 'zod'
import type { FileRow } from '../db/schema'
import type { Env } from '../env'
import { requireAuth } from '../auth/authenticateRequest'
import { accessDeniedError, decideRoomAccess } from '../files/decideRoomAccess'
import { deleteFrozenSnapshot, freezeSnapshot, listFrozenSnapshots } from '../files/frozenSnapshots'
import * as filesApi from '../files/filesApi'
import { parseTldrawImport } from '../files/parseTldrawImport'
import { CreateSnapshotBodySchema, MAX_CREATE_FILE_BODY_BYTES, MAX_RECORDS_BODY_BYTES, parseCreateFileBody, parseJsonBody, RecordsBodySchema } from '../files/schemas'
import { ApiError, ErrorCode } from '../http/errors'
import { filesCall, requireAnonymousRooms, requireId, requireVersion, withRepo, type Req } from './request'
import type { Caller } from './routeSteps'
import { diffSnapshots } from '../room/diffSnapshots'
import { readVersionSnapshot } from '../room/readHistory'
import { anonymousRoomAddress, fileRoomAddress, type RoomAddress } from '../room/RoomAddress'
import { historyPrefix, publishedSnapshotKey, sharedSnapshotKey } from '../storage/keys'
import { createR2SnapshotStore } from '../storage/SnapshotStore'
import { roomStub } from '../stubs'

/** Which room a document route means: `/r/:roomId/…` or `/app/file/:fileId/…` (or a body naming one). */
export type RoomRef = { roomId: string } | { fileId: string }

/** A room reached over HTTP after its access check: where it is, its Durable Object, and the file row. */
export interface ResolvedRoom {
	address: RoomAddress
	stub: ReturnType<typeof roomStub>
	file: FileRow | null
}

/** The room named by the route's `:roomId` or `:fileId`. */
export function roomRefOf(req: Req): RoomRef {
	return req.params.roomId !== undefined ? { roomId: req.params.roomId } : { fileId: req.params.fileId ?? '' }
}

/**
 * Resolves a file (Clerk + sharing rules; writes need an edit right) or an anonymous room (anyone with
 * the id reads and writes) to its room, or throws the HTTP error. The caller is already authenticated and
 * within its rate limit (routeSteps.ts).
 */
export async function resolveRoom(env: Env, caller: Caller, ref: RoomRef, need: 'read' | 'write'): Promise<ResolvedRoom> {
	if ('roomId' in ref) {
		requireAnonymousRooms(env)
		const address = anonymousRoomAddress(requireId(ref.roomId, 'roomId'))
		return { address, stub: roomStub(env, address.roomKey), file: null }
	}
	const fileId = requireId(ref.fileId, 'fileId')
	const file = await withRepo(env, (repo) => repo.getFile(fileId))
	const decision = decideRoomAccess(file, caller.auth)
	if (decision.kind === 'deny') throw accessDeniedError(decision.reason)
	if (need === 'write' && decision.isReadonly) throw new ApiError(403, ErrorCode.FORBIDDEN, 'this file is shared with you read-only')
	const address = fileRoomAddress(file!)
	return { address, stub: roomStub(env, address.roomKey), file }
}

/** A version's snapshot, rebuilt here from its chain in R2 history (the room names the objects), or 404. */
export async function readVersion(env: Env, target: ResolvedRoom, version: string) {
	const historyKey = historyPrefix(target.address.roomKey) + version
	const store = createR2SnapshotStore(env.ROOMS, env.ROOM_HISTORY)
	const snapshot = await readVersionSnapshot(store, () => target.stub.versionChain(historyKey))
	if (snapshot === null) throw new ApiError(404, ErrorCode.NOT_FOUND, `no version ${version} in this room's history`)
	return snapshot
}

export const HISTORY_PAGE_MAX = 200

export async function listHistory(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const target = await resolveRoom(env, caller, roomRefOf(req), 'read')
	const url = new URL(req.url)
	const limit = Math.min(HISTORY_PAGE_MAX, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50))
	const cursor = url.searchParams.get('cursor')
	if (cursor !== null && !/^\d{1,15}$/.test(cursor)) throw new ApiError(400, ErrorCode.BAD_REQUEST, 'cursor must come from a previous page')
	const rows = await target.stub.listVersions(limit, cursor === null ? undefined : Number(cursor))
	const prefix = historyPrefix(target.address.roomKey)
	return Response.json({
		versions: rows.map((r) => ({ version: r.historyKey.slice(prefix.length), createdAt: new Date(r.createdAt).toISOString(), clock: r.clock, kind: r.kind, bytes: r.bytes })),
		next: rows.length === limit ? String(rows[rows.length - 1]!.id) : null,
	})
}

export async function diffHistory(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const target = await resolveRoom(env, caller, roomRefOf(req), 'read')
	const from = await readVersion(env, target, requireVersion(req.params.version))
	const against = new URL(req.url).searchParams.get('against')
	const to = against ? await readVersion(env, target, requireVersion(against)) : (await target.stub.readSnapshot(target.address)).snapshot
	// Both sides under today's schema: a version written before a shape gained a field must not show every
	// such shape as changed.
	const diff = diffSnapshots(underCurrentSchema(from, req.params.version!), underCurrentSchema(to, against ?? 'current'))
	return Response.json({ from: req.params.version, to: against ?? 'current', ...diff })
}

function underCurrentSchema(snapshot: RoomSnapshot, version: string) {
	const migrated = parseTldrawImport(snapshot)
	if (!migrated.ok) throw new ApiError(422, ErrorCode.INVALID_SNAPSHOT, `version ${version} cannot be read under this server's schema: ${migrated.error}`)
	return migrated.snapshot
}

export async function restoreHistory(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const target = await resolveRoom(env, caller, roomRefOf(req), 'write')
	const version = requireVersion(req.params.version)
	const result = await target.stub.restoreVersion(target.address, historyPrefix(target.address.roomKey) + version)
	if (!result.found) throw new ApiError(404, ErrorCode.NOT_FOUND, `no version ${version} in this room's history`)
	const prefix = historyPrefix(target.address.roomKey)
	return Response.json({ restored: version, clock: result.clock, version: result.newVersionKey?.slice(prefix.length) ?? null })
}

export async function postRecords(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	// Only a caller who may write reads up to 4 MiB of body.
	const target = await resolveRoom(env, caller, roomRefOf(req), 'write')
	const body = await parseJsonBody(req, RecordsBodySchema, MAX_RECORDS_BODY_BYTES)
	const result = await target.stub.applyRecords(target.address, body)
	switch (result.kind) {
		case 'applied':
			return Response.json({ clock: result.clock })
		case 'conflict':
			return Response.json({ error: `the document is at clock ${result.clock}, not ${body.expectedClock}`, code: ErrorCode.CLOCK_MISMATCH, clock: result.clock }, { status: 409 })
		case 'invalid':
			return Response.json({ error: result.message, code: ErrorCode.INVALID_RECORD, typeName: result.typeName, path: result.path }, { status: 400 })
		case 'too-large':
			throw new ApiError(413, ErrorCode.DOCUMENT_TOO_LARGE, `the document would pass its limit of ${result.maxBytes} bytes (MAX_DOCUMENT_BYTES); nothing was applied`)
	}
}

/** GET …/download[?version=…]: the document, or one version of it, as a .tldr file. */
export async function downloadTldr(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const target = await resolveRoom(env, caller, roomRefOf(req), 'read')
	const version = new URL(req.url).searchParams.get('version')
	const snapshot = version ? await readVersion(env, target, requireVersion(version)) : (await target.stub.readSnapshot(target.address)).snapshot
	const name = (target.file?.name || req.params.fileId || req.params.roomId || 'untitled').replace(/[^\w .-]+/g, '_').slice(0, 100)
	const tldr = { tldrawFileFormatVersion: 1, schema: snapshot.schema, records: snapshot.documents.map((d) => d.state) }
	return new Response(JSON.stringify(tldr), {
		headers: { 'Content-Type': 'application/vnd.tldraw+json', 'Content-Disposition': `attachment; filename="${name}.tldr"` },
	})
}

/** POST /app/files with `duplicateOf`: the source (current, or a history version) becomes the new file's import. */
export async function duplicateFile(env: Env, caller: Caller, body: { name?: string; duplicateOf: string; version?: string }) {
	const source = await resolveRoom(env, caller, { fileId: body.duplicateOf }, 'read')
	const snapshot = body.version ? await readVersion(env, source, body.version) : (await source.stub.readSnapshot(source.address)).snapshot
	const name = body.name ?? `${source.file?.name || 'Untitled'} (copy)`
	return filesCall(env, caller.auth, (deps) => filesApi.createFile(deps, { name, snapshot: snapshot as unknown as Record<string, unknown> }))
}

export async function serveSnapshotObject(env: Env, key: string, what: string): Promise<Response> {
	const obj = await env.SNAPSHOTS.get(key)
	if (!obj) throw new ApiError(404, ErrorCode.NOT_FOUND, `no ${what} here`)
	return new Response(obj.body, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=60' } })
}

/** GET …/snapshot */
export async function getSnapshot(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const target = await resolveRoom(env, caller, roomRefOf(req), 'read')
	return Response.json(await target.stub.readSnapshot(target.address))
}

/** GET /app/file/:fileId/metadata */
export async function getMetadata(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const target = await resolveRoom(env, caller, roomRefOf(req), 'read')
	const meta = await target.stub.readMetadata(target.address)
	return Response.json({ ...meta, updatedAt: target.file?.updatedAt.toISOString() ?? null })
}

/** GET …/history/:version */
export async function getVersion(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const target = await resolveRoom(env, caller, roomRefOf(req), 'read')
	return Response.json(await readVersion(env, target, requireVersion(req.params.version)))
}

/** POST /app/files: a new file, empty, imported, or a duplicate. */
export async function createFileRoute(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	// Only a signed-in caller reads up to 10 MiB of body.
	requireAuth(caller.auth)
	const body = parseCreateFileBody(await parseJsonBody(req, z.unknown(), MAX_CREATE_FILE_BODY_BYTES), new URL(req.url).searchParams)
	if (body.duplicateOf) return Response.json(await duplicateFile(env, caller, { ...body, duplicateOf: body.duplicateOf }), { status: 201 })
	return Response.json(await filesCall(env, caller.auth, (deps) => filesApi.createFile(deps, body)), { status: 201 })
}

/**
 * POST /snapshots: freezes a room under a new public slug. It makes a public copy nobody can revoke but the
 * file's owner, so it needs edit access (an anonymous room's id gives that; a view link does not).
 */
export async function createSharedSnapshot(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const body = await parseJsonBody(req, CreateSnapshotBodySchema, 1024)
	const target = await resolveRoom(env, caller, body.fileId ? { fileId: body.fileId } : { roomId: body.roomId! }, 'write')
	const { snapshot } = await target.stub.readSnapshot(target.address)
	const slug = crypto.randomUUID().replaceAll('-', '')
	await freezeSnapshot(env.SNAPSHOTS, { fileId: target.file?.id ?? null, slug, json: JSON.stringify(snapshot), createdBy: caller.auth?.userId ?? null })
	return Response.json({ slug }, { status: 201 })
}

/** The file of `/app/file/:fileId/snapshots…`, for its owner only. */
async function requireOwnerOf(req: Req, env: Env, caller: Caller): Promise<string> {
	const auth = requireAuth(caller.auth)
	const target = await resolveRoom(env, caller, { fileId: req.params.fileId ?? '' }, 'read')
	if (target.file?.ownerId !== auth.userId) throw new ApiError(403, ErrorCode.FORBIDDEN, "only the file's owner can see or delete its frozen snapshots")
	return target.file.id
}

/** GET /app/file/:fileId/snapshots (owner): the file's frozen snapshots, newest first. */
export async function listFileSnapshots(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const fileId = await requireOwnerOf(req, env, caller)
	return Response.json({ snapshots: await listFrozenSnapshots(env.SNAPSHOTS, fileId) })
}

/** DELETE /app/file/:fileId/snapshots/:slug (owner): the snapshot is gone from its public URL. */
export async function deleteFileSnapshot(req: Req, env: Env, _ctx: ExecutionContext, caller: Caller): Promise<Response> {
	const fileId = await requireOwnerOf(req, env, caller)
	const slug = requireId(req.params.slug, 'slug')
	if (!(await deleteFrozenSnapshot(env.SNAPSHOTS, fileId, slug))) throw new ApiError(404, ErrorCode.NOT_FOUND, 'this file has no frozen snapshot with that slug')
	return Response.json({ slug, deleted: true })
}

/** GET /app/publish/:slug — public. */
export function getPublished(req: Req, env: Env): Promise<Response> {
	return serveSnapshotObject(env, publishedSnapshotKey(requireId(req.params.slug, 'slug')), 'published file')
}

/** GET /snapshot/:slug — public. */
export function getSharedSnapshot(req: Req, env: Env): Promise<Response> {
	return serveSnapshotObject(env, sharedSnapshotKey(requireId(req.params.slug, 'slug')), 'snapshot')
}
