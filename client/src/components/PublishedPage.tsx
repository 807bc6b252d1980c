import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite'
import { useEffect, useState } from 'react'
import { Tldraw, type Editor, type TLStoreSnapshot } from 'tldraw'
import { apiJson, describeError } from '../api'
import { bindingUtils, shapeUtils } from '../canvas/customShapes'
import { tldrawLicenseKey } from '../config'
import { TopBar } from './TopBar'

const assetUrls = getAssetUrlsByImport()
type RoomSnapshot = { schema: TLStoreSnapshot['schema']; documents: Array<{ state: { id: string } }> }

/** /p/<slug>: a published copy of a file (GET /app/publish/:slug), read-only, no live connection. */
export function PublishedPage({ slug }: { slug: string }) {
	const [snapshot, setSnapshot] = useState<TLStoreSnapshot | null>(null)
	const [error, setError] = useState<string | null>(null)
	useEffect(() => {
		apiJson<RoomSnapshot>(`/app/publish/${slug}`)
			.then((s) => setSnapshot({ schema: s.schema, store: Object.fromEntries(s.documents.map((d) => [d.state.id, d.state])) as TLStoreSnapshot['store'] }))
			.catch((err) => setError(describeError(err)))
	}, [slug])
	return (
		<div className="page with-canvas">
			<TopBar title="Published" />
			<div className="workspace">
				{error && <p className="connection-panel tone-fatal">{error}</p>}
				{snapshot && (
					<div className="canvas">
						<Tldraw
							snapshot={snapshot}
							assetUrls={assetUrls}
							licenseKey={tldrawLicenseKey}
							shapeUtils={shapeUtils}
							bindingUtils={bindingUtils}
							onMount={(editor) => {
								editor.updateInstanceState({ isReadonly: true })
								;(window as unknown as { editor?: Editor }).editor = editor
							}}
						/>
					</div>
				)}
			</div>
		</div>
	)
}
