import { useSync } from '@tldraw/sync'
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite'
import { useCallback } from 'react'
import { Tldraw, type Editor, type TLAssetStore } from 'tldraw'
import { tldrawLicenseKey } from '../config'
import { bindingUtils, components, shapeUtils, storeBindingUtils, storeShapeUtils, tools, uiOverrides } from './customShapes'
import { describeConnection, type ConnectionInput } from './describeConnection'
import { ConnectionBanner, ConnectionPanel } from '../components/ConnectionStatus'

/** tldraw's fonts, icons and translations from this app's own build: no CDN, works offline. */
const assetUrls = getAssetUrlsByImport()

export type SyncedCanvasProps = {
	/** The room's socket URL, or a function that builds it (called on every reconnect, e.g. for a fresh token). Keep it stable. */
	uri: string | (() => Promise<string>)
	/** Keep it stable too: useSync reconnects when it changes. */
	assets: TLAssetStore
	onEditor?: (editor: Editor) => void
}

/** A canvas synced with one room over the stock `useSync`, with its connection state in plain words. */
export function SyncedCanvas({ uri, assets, onEditor }: SyncedCanvasProps) {
	const store = useSync({ uri, assets, shapeUtils: storeShapeUtils, bindingUtils: storeBindingUtils })
	const handleMount = useCallback(
		(editor: Editor) => {
			// The console (and the browser tests) can reach the editor, as on tldraw.com.
			;(window as unknown as { editor?: Editor }).editor = editor
			onEditor?.(editor)
		},
		[onEditor],
	)
	const view = describeConnection(toConnectionInput(store))
	if (store.status !== 'synced-remote') return <ConnectionPanel view={view} />
	return (
		<div className="canvas" data-testid="canvas">
			<Tldraw
				store={store.store}
				assetUrls={assetUrls}
				licenseKey={tldrawLicenseKey}
				shapeUtils={shapeUtils}
				bindingUtils={bindingUtils}
				tools={tools}
				overrides={uiOverrides}
				components={components}
				onMount={handleMount}
			/>
			<ConnectionBanner view={view} />
		</div>
	)
}

function toConnectionInput(store: ReturnType<typeof useSync>): ConnectionInput {
	switch (store.status) {
		case 'loading':
			return { status: 'loading' }
		case 'synced-remote':
			return { status: 'synced-remote', connectionStatus: store.connectionStatus }
		case 'error':
			return { status: 'error', reason: (store.error as { reason?: string }).reason ?? null, message: store.error.message }
	}
}
