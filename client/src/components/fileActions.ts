import type { WireFileRow } from '../../../src/user/protocol'
import { apiFetch, apiJson, type TokenSource } from '../api'

/** File operations over the HTTP API (which also tells live rooms about sharing changes before answering). */
export type FileView = WireFileRow & { isOwner: boolean; isReadonly: boolean }
export type ShareMode = 'private' | 'view' | 'edit'

export function shareModeOf(file: Pick<WireFileRow, 'shared' | 'sharedLinkType'>): ShareMode {
	return file.shared ? file.sharedLinkType : 'private'
}

export function createFile(token: TokenSource, body: { name?: string; snapshot?: unknown; duplicateOf?: string }) {
	return apiJson<FileView>('/app/files', { method: 'POST', json: body, token })
}

export function getFile(token: TokenSource | undefined, fileId: string) {
	return apiJson<FileView>(`/app/file/${fileId}`, { token })
}

export function patchFile(token: TokenSource, fileId: string, patch: { name?: string; shared?: boolean; sharedLinkType?: 'view' | 'edit'; published?: boolean }) {
	return apiJson<FileView>(`/app/file/${fileId}`, { method: 'PATCH', json: patch, token })
}

export function setShareMode(token: TokenSource, fileId: string, mode: ShareMode) {
	return patchFile(token, fileId, mode === 'private' ? { shared: false } : { shared: true, sharedLinkType: mode })
}

export function deleteFile(token: TokenSource, fileId: string) {
	return apiJson(`/app/file/${fileId}`, { method: 'DELETE', token })
}

/** Saves the file as a .tldr the tldraw app opens (GET …/download). */
export async function downloadFile(token: TokenSource, fileId: string, name: string) {
	const blob = await (await apiFetch(`/app/file/${fileId}/download`, { token })).blob()
	const url = URL.createObjectURL(blob)
	const a = document.createElement('a')
	a.href = url
	a.download = `${name || 'untitled'}.tldr`
	document.body.append(a)
	a.click()
	a.remove()
	setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A dropped .tldr file becomes a new file of mine (POST /app/files { name, snapshot }). */
export async function importTldrFile(token: TokenSource, file: File): Promise<FileView> {
	let snapshot: unknown
	try {
		snapshot = JSON.parse(await file.text())
	} catch {
		throw new Error(`${file.name} is not a .tldr file (not JSON)`)
	}
	return createFile(token, { name: file.name.replace(/\.tldr$/i, ''), snapshot })
}
