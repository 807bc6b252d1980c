import { TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import { requireAuth, type Auth } from '../auth/authenticateRequest'
import type { FileListEntry, FilePatch, FileRepository } from '../db/FileRepository'
import type { FileRow, SharedLinkType } from '../db/schema'
import { ApiError, ErrorCode } from '../http/errors'
import { isValidId } from '../storage/keys'
import { formatCreateSource } from '../room/createSource'
import { accessDeniedError, decideRoomAccess } from './decideRoomAccess'
import type { ImportStore } from '../room/ImportStore'
import { recordsBytes } from '../room/documentSize'
import { parseTldrawImport } from './parseTldrawImport'
import { MAX_FILE_NAME_CHARS, type CreateFileBody, type PatchFileBody } from './schemas'

/**
 * The files HTTP API as plain functions: the Worker authenticates, parses the body (schemas.ts), builds
 * the deps for the request and turns the result into JSON; errors are ApiErrors with `{ error, code }`.
 */
export type FilesApiDeps = {
	repo: FileRepository
	/** The caller; null when the request carried no token (only reads of shared files allow that). */
	auth: Auth | null
	/** Needed only to create a file from an uploaded .tldr file or snapshot. */
	imports?: ImportStore
	/** MAX_DOCUMENT_BYTES: an import larger than this is refused (413 DOCUMENT_TOO_LARGE). */
	maxDocumentBytes?: number
	newFileId?: () => string
	newPublishedSlug?: () => string
	now?: () => Date
	/**
	 * Told about every change PATCH or DELETE made to a file row, before the response is sent, so live
	 * rooms can re-check their sessions (ARCHITECTURE.md §4). Replication delivers the same change for edits made
	 * elsewhere.
	 */
	onFileChanged?: (before: FileRow, after: FileRow) => Promise<void>
}

/** A file as the API shows it, with the caller's access. Internal columns (createSource, isDeleted) stay inside. */
export type FileView = {
	id: string
	ownerId: string
	name: string
	shared: boolean
	sharedLinkType: SharedLinkType
	published: boolean
	publishedSlug: string | null
	lastPublished: string | null
	thumbnail: string
	createdAt: string
	updatedAt: string
	isOwner: boolean
	isReadonly: boolean
}

export type FileListItem = FileView & { lastVisitAt: string | null; isPinned: boolean }

export function toFileView(file: FileRow, access: { isOwner: boolean; isReadonly: boolean }): FileView {
	return {
		id: file.id,
		ownerId: file.ownerId,
		name: file.name,
		shared: file.shared,
		sharedLinkType: file.sharedLinkType,
		published: file.published,
		publishedSlug: file.publishedSlug,
		lastPublished: file.lastPublished?.toISOString() ?? null,
		thumbnail: file.thumbnail,
		createdAt: file.createdAt.toISOString(),
		updatedAt: file.updatedAt.toISOString(),
		...access,
	}
}

/** POST /app/files: an empty file, or one whose content is an uploaded .tldr file / snapshot. Status 201. */
export async function createFile(deps: FilesApiDeps, body: CreateFileBody): Promise<FileView> {
	const auth = requireAuth(deps.auth)
	const fileId = (deps.newFileId ?? defaultFileId)()
	let createSource: string | null = null
	let name = body.name
	if (body.snapshot !== undefined) {
		const parsed = parseTldrawImport(body.snapshot)
		if (!parsed.ok) throw new ApiError(400, ErrorCode.INVALID_SNAPSHOT, `snapshot: ${parsed.error}`)
		const bytes = recordsBytes(parsed.snapshot.documents.map((d) => d.state))
		if (deps.maxDocumentBytes !== undefined && bytes > deps.maxDocumentBytes) {
			throw new ApiError(413, ErrorCode.DOCUMENT_TOO_LARGE, `the document is ${bytes} bytes, more than the limit of ${deps.maxDocumentBytes} (MAX_DOCUMENT_BYTES)`)
		}
		if (!deps.imports) throw new Error('createFile: an import store is required to create a file from a snapshot')
		// Before the row: a room that starts as soon as the row exists must find its content.
		await deps.imports.putImport(fileId, parsed.snapshot)
		createSource = formatCreateSource({ kind: 'import' })
		name ??= documentName(parsed.snapshot.documents.map((d) => d.state))
	}
	await deps.repo.upsertUser({ id: auth.userId, name: auth.name, email: auth.email })
	const file = await deps.repo.createFile({ id: fileId, ownerId: auth.userId, name: name ?? '', createSource })
	return toFileView(file, { isOwner: true, isReadonly: false })
}

/** GET /app/files: mine and those shared with me that I have opened, newest first. */
export async function listFiles(deps: FilesApiDeps): Promise<{ files: FileListItem[] }> {
	const auth = requireAuth(deps.auth)
	const entries = await deps.repo.listFilesForUser(auth.userId)
	return { files: entries.map((entry) => toListItem(entry, auth)) }
}

/** GET /app/file/:fileId: metadata for anyone who may open the file (anonymous callers too, on a shared link). */
export async function getFile(deps: FilesApiDeps, input: { fileId: string }): Promise<FileView> {
	const fileId = requireFileId(input.fileId)
	const file = await deps.repo.getFile(fileId)
	if (!file) throw accessDeniedError(TLSyncErrorCloseEventReason.NOT_FOUND)
	const decision = decideRoomAccess(file, deps.auth)
	if (decision.kind === 'deny') throw accessDeniedError(decision.reason)
	return toFileView(file, { isOwner: file.ownerId === deps.auth?.userId, isReadonly: decision.isReadonly })
}

/**
 * PATCH /app/file/:fileId (owner only): rename, share, publish. Publishing assigns a slug once and keeps
 * it across unpublish/publish, so a published link stays the same; every publish refreshes lastPublished.
 */
export async function patchFile(deps: FilesApiDeps, input: { fileId: string; body: PatchFileBody }): Promise<FileView> {
	const file = await requireOwnedFile(deps, input.fileId)
	const { body } = input
	const patch: FilePatch = { name: body.name, shared: body.shared, sharedLinkType: body.sharedLinkType, published: body.published }
	if (body.published === true) {
		patch.publishedSlug = file.publishedSlug ?? (deps.newPublishedSlug ?? defaultSlug)()
		patch.lastPublished = (deps.now ?? (() => new Date()))()
	}
	const updated = await deps.repo.updateFile(file.id, patch)
	if (!updated) throw accessDeniedError(TLSyncErrorCloseEventReason.NOT_FOUND)
	await deps.onFileChanged?.(file, updated)
	return toFileView(updated, { isOwner: true, isReadonly: false })
}

/** DELETE /app/file/:fileId (owner only): soft delete; the room closes its sessions with NOT_FOUND. */
export async function deleteFile(deps: FilesApiDeps, input: { fileId: string }): Promise<{ id: string; isDeleted: true }> {
	const file = await requireOwnedFile(deps, input.fileId)
	const deleted = await deps.repo.softDeleteFile(file.id)
	if (!deleted) throw accessDeniedError(TLSyncErrorCloseEventReason.NOT_FOUND)
	await deps.onFileChanged?.(file, deleted)
	return { id: deleted.id, isDeleted: true }
}

async function requireOwnedFile(deps: FilesApiDeps, rawFileId: string): Promise<FileRow> {
	const auth = requireAuth(deps.auth)
	const fileId = requireFileId(rawFileId)
	const file = await deps.repo.getFile(fileId)
	if (!file || file.isDeleted) throw accessDeniedError(TLSyncErrorCloseEventReason.NOT_FOUND)
	if (file.ownerId !== auth.userId) throw new ApiError(403, ErrorCode.FORBIDDEN, 'only the owner of this file can change or delete it')
	return file
}

function requireFileId(fileId: string): string {
	if (!isValidId(fileId)) throw new ApiError(400, ErrorCode.INVALID_ID, 'fileId must match ^[A-Za-z0-9_-]{1,128}$')
	return fileId
}

function toListItem({ file, state, isOwner }: FileListEntry, auth: Auth): FileListItem {
	const access = decideRoomAccess(file, auth)
	return {
		...toFileView(file, { isOwner, isReadonly: access.kind === 'allow' ? access.isReadonly : true }),
		lastVisitAt: state?.lastVisitAt?.toISOString() ?? null,
		isPinned: state?.isPinned ?? false,
	}
}

function documentName(records: Array<{ typeName: string; name?: unknown }>): string | undefined {
	const doc = records.find((r) => r.typeName === 'document')
	if (typeof doc?.name !== 'string') return undefined
	const name = doc.name.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, MAX_FILE_NAME_CHARS)
	return name === '' ? undefined : name
}

function defaultFileId(): string {
	return crypto.randomUUID()
}

function defaultSlug(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16))
	return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
