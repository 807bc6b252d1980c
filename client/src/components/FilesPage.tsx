import { useCallback, useEffect, useMemo, useState } from 'react'
import type { Editor } from 'tldraw'
import type { WireFileRow } from '../../../src/user/protocol'
import { describeError } from '../api'
import { useAuth, useSession, type Session } from '../auth/AuthContext'
import { createAssetStore } from '../canvas/assetStore'
import { registerUnfurl } from '../canvas/bookmarks'
import { SyncedCanvas } from '../canvas/SyncedCanvas'
import { socketUrl } from '../config'
import { absoluteUrl } from '../navigation'
import { paths } from '../routes'
import { useUserData } from '../userData/useUserData'
import { getFile, patchFile, setShareMode, shareModeOf, type FileView, type ShareMode } from './fileActions'
import { FileSidebar } from './FileSidebar'
import { HistoryPanel } from './HistoryPanel'
import { SignInPanel } from './StartPage'
import { copyText, CopyField, TopBar } from './TopBar'

/** /files and /f/<fileId>: my file list beside the open file's canvas; a signed-out visitor gets only the canvas. */
export function FilesPage({ fileId }: { fileId: string | null }) {
	const auth = useAuth()
	const session = useSession()
	const { snapshot, client } = useUserData(session)
	if (auth.state.status === 'loading') return <p className="note">Loading…</p>
	if (!session) {
		if (!fileId) return <SignInPanel />
		return <FileWorkspace key={fileId} fileId={fileId} session={null} listed={undefined} />
	}
	return (
		<div className="page files-layout">
			<FileSidebar session={session} snapshot={snapshot} client={client} openFileId={fileId} />
			{fileId ? (
				<FileWorkspace key={fileId} fileId={fileId} session={session} listed={snapshot.data.files[fileId]} />
			) : (
				<div className="empty-state">
					<p>Pick a file, create one, or drop a .tldr file on the list.</p>
				</div>
			)}
		</div>
	)
}

function FileWorkspace({ fileId, session, listed }: { fileId: string; session: Session | null; listed: WireFileRow | undefined }) {
	const [meta, setMeta] = useState<FileView | null>(null)
	const [showHistory, setShowHistory] = useState(false)
	const getToken = session?.getToken
	useEffect(() => {
		getFile(getToken, fileId)
			.then(setMeta)
			.catch(() => setMeta(null)) // the canvas shows why (NOT_FOUND, FORBIDDEN, …)
	}, [fileId, getToken])
	// The list row is live (renames, sharing); the fetched metadata covers files not in my list.
	const file = listed ?? meta
	const isOwner = !!session && file?.ownerId === session.userId
	const canEdit = isOwner || (meta ? !meta.isReadonly : false)

	const uri = useCallback(async () => {
		const token = getToken ? await getToken() : null
		return socketUrl(`/app/file/${fileId}${token ? `?accessToken=${encodeURIComponent(token)}` : ''}`)
	}, [fileId, getToken])
	const assets = useMemo(() => createAssetStore({ uploadPath: (name) => `/app/uploads/${encodeURIComponent(name)}?fileId=${fileId}`, token: getToken }), [fileId, getToken])
	const onEditor = useCallback((editor: Editor) => getToken && registerUnfurl(editor, '/unfurl', getToken), [getToken])

	return (
		<div className="page with-canvas">
			<TopBar title={<span data-testid="file-title">{file?.name || 'Untitled'}</span>}>
				{isOwner && session && file && <ShareControls session={session} file={file} onChange={setMeta} />}
				{!isOwner && file && <span className="muted">{canEdit ? 'shared with you (can edit)' : 'shared with you (view only)'}</span>}
				<button onClick={() => void copyText(absoluteUrl(paths.file(fileId)))} data-testid="copy-file-link">
					Copy link
				</button>
				<button onClick={() => setShowHistory((v) => !v)} data-testid="history-toggle">
					History
				</button>
			</TopBar>
			<div className="workspace">
				<SyncedCanvas uri={uri} assets={assets} onEditor={onEditor} />
				{showHistory && <HistoryPanel basePath={`/app/file/${fileId}`} token={getToken} canRestore={canEdit} onClose={() => setShowHistory(false)} />}
			</div>
		</div>
	)
}

/** Owner's sharing: private / view link / edit link, and publishing a read-only public copy. */
function ShareControls({ session, file, onChange }: { session: Session; file: WireFileRow; onChange: (f: FileView) => void }) {
	const [error, setError] = useState<string | null>(null)
	const [note, setNote] = useState<string | null>(null)
	const publishedLink = file.published && file.publishedSlug ? absoluteUrl(paths.published(file.publishedSlug)) : null
	async function run(action: () => Promise<FileView>) {
		setError(null)
		try {
			onChange(await action())
		} catch (err) {
			setError(describeError(err))
		}
	}
	return (
		<div className="share-controls">
			<label>
				Sharing{' '}
				<select data-testid="share-mode" value={shareModeOf(file)} onChange={(e) => void run(() => setShareMode(session.getToken, file.id, e.target.value as ShareMode))}>
					<option value="private">Private</option>
					<option value="view">Anyone with the link can view</option>
					<option value="edit">Anyone with the link can edit</option>
				</select>
			</label>
			<button
				data-testid="publish"
				onClick={() =>
					void run(async () => {
						const next = await patchFile(session.getToken, file.id, { published: true })
						if (next.publishedSlug) setNote((await copyText(absoluteUrl(paths.published(next.publishedSlug)))) ? 'Public link copied.' : null)
						return next
					})
				}
			>
				{file.published ? 'Update published copy' : 'Publish'}
			</button>
			{file.published && (
				<button data-testid="unpublish" onClick={() => void run(() => patchFile(session.getToken, file.id, { published: false }))}>
					Unpublish
				</button>
			)}
			{publishedLink && <CopyField label="Public link" value={publishedLink} testId="published-link" />}
			{note && <span className="muted">{note}</span>}
			{error && <span className="error">{error}</span>}
		</div>
	)
}
