import { AssetRecordType, getHashForString, type Editor, type TLBookmarkAsset } from 'tldraw'
import { apiJson, type TokenSource } from '../api'

/** GET /unfurl's answer (README "Unfurl"). */
export type UnfurlResult = { title: string | null; description: string | null; image: string | null; favicon: string | null }

/**
 * Pasting a URL makes a bookmark: tldraw asks the 'url' asset handler for its metadata, which the server
 * fetches (the browser can't read other sites). A failed unfurl still makes a bookmark with the bare URL.
 */
export function registerUnfurl(editor: Editor, unfurlPath: string, token?: TokenSource) {
	editor.registerExternalAssetHandler('url', async ({ url }): Promise<TLBookmarkAsset> => {
		let meta: UnfurlResult = { title: null, description: null, image: null, favicon: null }
		try {
			meta = await apiJson<UnfurlResult>(`${unfurlPath}?url=${encodeURIComponent(url)}`, { token })
		} catch (err) {
			console.warn('unfurl failed', err)
		}
		return {
			id: AssetRecordType.createId(getHashForString(url)),
			typeName: 'asset',
			type: 'bookmark',
			props: { src: url, title: meta.title ?? url, description: meta.description ?? '', image: meta.image ?? '', favicon: meta.favicon ?? '' },
			meta: {},
		}
	})
}
