import type { TLAssetStore } from 'tldraw'
import { apiJson, type TokenSource } from '../api'
import { randomId } from '../navigation'

/**
 * Images and videos dropped or pasted on a canvas are uploaded to the Worker (R2) and referenced by URL,
 * never inlined into the document. `uploadPath(objectName)` is the upload route for this canvas.
 */
export function createAssetStore(opts: { uploadPath: (objectName: string) => string; token?: TokenSource }): TLAssetStore {
	return {
		async upload(_asset, file) {
			const objectName = `${randomId()}-${safeName(file.name)}`
			const result = await apiJson<{ url: string }>(opts.uploadPath(objectName), { method: 'POST', body: file, contentType: file.type, token: opts.token })
			return { src: result.url }
		},
		resolve(asset) {
			return asset.props.src
		},
	}
}

/** Upload names allow `A-Z a-z 0-9 . _ -` (README "Uploads"); keep the extension so the name stays readable. */
export function safeName(name: string): string {
	const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[.-]+/, '')
	return (cleaned || 'file').slice(-80)
}
