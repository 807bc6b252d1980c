import type { RoomSnapshot } from '@tldraw/sync-core'
import type { OwnedFile, UserDataRepository } from './UserDataRepository'
import { ZipWriter } from './zipWriter'

export interface ExportSource {
	repo: UserDataRepository
	/** The current document of one of the user's files, from its room. */
	readDocument: (file: OwnedFile) => Promise<RoomSnapshot>
}

/** `.tldr` as tldraw's "Save a copy" writes it, which `POST /app/files { snapshot }` imports back. */
export function toTldr(snapshot: RoomSnapshot): string {
	return JSON.stringify({ tldrawFileFormatVersion: 1, schema: snapshot.schema, records: snapshot.documents.map((d) => d.state) })
}

/** A file name safe in every unzip tool, unique by the id it ends with. */
export function entryName(file: { id: string; name: string }): string {
	const base = file.name.replace(/[^\p{L}\p{N} ._-]+/gu, '_').trim().slice(0, 80) || 'Untitled'
	return `files/${base} (${file.id}).tldr`
}

/**
 * Writes a user's data as a zip into `write`, one entry at a time: `user.json` (their row and file
 * states), `files.json` (every file they own), and each owned file that is not deleted as a `.tldr`.
 */
export async function writeUserExport(userId: string, source: ExportSource, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
	const zip = new ZipWriter(write)
	const user = await source.repo.getUser(userId)
	await zip.add('user.json', JSON.stringify({ user: user ?? null, fileStates: await source.repo.fileStates(userId) }, null, 2))
	const rows = await source.repo.fileRows(userId)
	await zip.add('files.json', JSON.stringify({ files: rows }, null, 2))
	for (const row of rows) {
		if (row.isDeleted) continue
		await zip.add(entryName(row), toTldr(await source.readDocument(row)))
	}
	await zip.finish()
}
