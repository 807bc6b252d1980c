import { useMemo, useState } from 'react'
import type { Editor } from 'tldraw'
import { apiJson, describeError } from '../api'
import { createAssetStore } from '../canvas/assetStore'
import { registerUnfurl } from '../canvas/bookmarks'
import { SyncedCanvas } from '../canvas/SyncedCanvas'
import { socketUrl } from '../config'
import { absoluteUrl } from '../navigation'
import { paths } from '../routes'
import { HistoryPanel } from './HistoryPanel'
import { copyText, CopyField, TopBar } from './TopBar'

const registerAnonymousUnfurl = (editor: Editor) => registerUnfurl(editor, '/api/unfurl')

/** An anonymous room: anyone with the link edits; "Share read-only" copies a /ro/ link that can only watch. */
export function RoomPage({ roomId }: { roomId: string }) {
	const [readonlyLink, setReadonlyLink] = useState<string | null>(null)
	const [note, setNote] = useState<string | null>(null)
	const [showHistory, setShowHistory] = useState(false)
	// The anonymous upload and unfurl routes (the sync-cloudflare template's /api/uploads, /api/unfurl).
	const assets = useMemo(() => createAssetStore({ uploadPath: (name) => `/api/uploads/${encodeURIComponent(name)}` }), [])

	async function shareReadonly() {
		try {
			const { slug } = await apiJson<{ slug: string }>(`/r/${roomId}/readonly-slug`)
			const link = absoluteUrl(paths.readonly(slug))
			setReadonlyLink(link)
			setNote((await copyText(link)) ? 'Read-only link copied.' : 'Copy the read-only link below.')
		} catch (err) {
			setNote(describeError(err))
		}
	}

	async function copyRoomLink() {
		setNote((await copyText(absoluteUrl(paths.room(roomId)))) ? 'Room link copied: anyone with it can edit.' : 'Copy this page’s address to share it.')
	}

	return (
		<div className="page with-canvas">
			<TopBar title={<span>Room <code>{roomId}</code></span>}>
				<button onClick={() => void copyRoomLink()}>Copy link</button>
				<button onClick={() => void shareReadonly()} data-testid="share-readonly">
					Share read-only
				</button>
				<button onClick={() => setShowHistory((v) => !v)} data-testid="history-toggle">
					History
				</button>
			</TopBar>
			{(note || readonlyLink) && (
				<div className="notice">
					{note && <span data-testid="notice">{note}</span>}
					{readonlyLink && <CopyField label="Read-only link" value={readonlyLink} testId="readonly-link" />}
				</div>
			)}
			<div className="workspace">
				<SyncedCanvas uri={socketUrl(`/r/${roomId}`)} assets={assets} onEditor={registerAnonymousUnfurl} />
				{showHistory && <HistoryPanel basePath={`/r/${roomId}`} canRestore onClose={() => setShowHistory(false)} />}
			</div>
		</div>
	)
}

/** A /ro/ link: the same room, read-only (tldraw's own read-only UI), still receiving every change. */
export function ReadonlyRoomPage({ slug }: { slug: string }) {
	const assets = useMemo(() => createAssetStore({ uploadPath: () => '/api/uploads/readonly' }), [])
	return (
		<div className="page with-canvas">
			<TopBar title="Read-only view" />
			<div className="workspace">
				<SyncedCanvas uri={socketUrl(`/ro/${slug}`)} assets={assets} />
			</div>
		</div>
	)
}
