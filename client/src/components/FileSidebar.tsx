import { useState, type DragEvent } from 'react'
import { describeError } from '../api'
import { useAuth, type Session } from '../auth/AuthContext'
import { navigate } from '../navigation'
import { paths } from '../routes'
import type { UserDataClient, UserDataSnapshot } from '../userData/UserDataClient'
import { listFiles, type FileListEntry } from '../userData/userDataState'
import { createFile, deleteFile, downloadFile, importTldrFile, patchFile, shareModeOf } from './fileActions'

const SHARE_LABELS = { private: 'private', view: 'view link', edit: 'edit link' } as const

/**
 * My files, live from the user socket: mine and those shared with me that I opened. Create, rename, pin,
 * duplicate, download, delete; drop a .tldr file anywhere on the list to import it.
 */
export function FileSidebar({ session, snapshot, client, openFileId }: { session: Session; snapshot: UserDataSnapshot; client: UserDataClient | null; openFileId: string | null }) {
	const auth = useAuth()
	const [error, setError] = useState<string | null>(null)
	const [dragging, setDragging] = useState(false)
	const entries = listFiles(snapshot.data, session.userId)
	const token = session.getToken

	async function run(action: () => Promise<unknown>) {
		setError(null)
		try {
			await action()
		} catch (err) {
			setError(describeError(err))
		}
	}

	async function onDrop(e: DragEvent) {
		e.preventDefault()
		setDragging(false)
		const files = [...e.dataTransfer.files].filter((f) => /\.tldr$/i.test(f.name) || f.type.includes('json'))
		if (files.length === 0) return setError('Drop .tldr files here to import them.')
		await run(async () => {
			let last = null
			for (const file of files) last = await importTldrFile(token, file)
			if (last) navigate(paths.file(last.id))
		})
	}

	return (
		<aside
			className={`sidebar ${dragging ? 'dragging' : ''}`}
			data-testid="file-sidebar"
			onDragOver={(e) => {
				e.preventDefault()
				setDragging(true)
			}}
			onDragLeave={() => setDragging(false)}
			onDrop={(e) => void onDrop(e)}
		>
			<header>
				<div className="who" data-testid="signed-in-as">
					{session.name}
				</div>
				{auth.UserMenu ? <auth.UserMenu /> : <button onClick={auth.signOut}>Sign out</button>}
			</header>
			<button
				className="primary"
				data-testid="new-file"
				onClick={() => void run(async () => navigate(paths.file((await createFile(token, { name: 'Untitled' })).id)))}
			>
				New file
			</button>
			<p className="status-line" data-testid="user-data-status">
				{snapshot.status === 'online' ? `${entries.length} file${entries.length === 1 ? '' : 's'}` : snapshot.status === 'closed' ? `Disconnected: ${snapshot.error}` : snapshot.status === 'offline' ? 'Offline, reconnecting…' : 'Connecting…'}
			</p>
			{error && (
				<p className="error" data-testid="sidebar-error">
					{error}
				</p>
			)}
			<ul className="file-list" data-testid="file-list">
				{entries.map((entry) => (
					<FileRow key={entry.file.id} entry={entry} open={entry.file.id === openFileId} client={client} session={session} run={run} />
				))}
			</ul>
			<p className="hint">Drop a .tldr file here to import it.</p>
		</aside>
	)
}

function FileRow({ entry, open, client, session, run }: { entry: FileListEntry; open: boolean; client: UserDataClient | null; session: Session; run: (a: () => Promise<unknown>) => Promise<void> }) {
	const { file, isOwner, isPinned } = entry
	const [renaming, setRenaming] = useState(false)
	const [name, setName] = useState(file.name)
	const [confirmDelete, setConfirmDelete] = useState(false)
	const token = session.getToken
	return (
		<li className={open ? 'open' : ''} data-testid="file-row" data-file-id={file.id} data-file-name={file.name}>
			{renaming ? (
				<form
					onSubmit={(e) => {
						e.preventDefault()
						setRenaming(false)
						void run(() => patchFile(token, file.id, { name }))
					}}
				>
					<input autoFocus value={name} onChange={(e) => setName(e.target.value)} onBlur={() => setRenaming(false)} data-testid="rename-input" />
				</form>
			) : (
				<a
					href={paths.file(file.id)}
					className="file-name"
					onClick={(e) => {
						e.preventDefault()
						navigate(paths.file(file.id))
					}}
				>
					{isPinned && <span title="Pinned">📌 </span>}
					{file.name || 'Untitled'}
				</a>
			)}
			<span className="muted badges">
				{isOwner ? SHARE_LABELS[shareModeOf(file)] : 'shared with me'}
				{file.published && ' · published'}
			</span>
			{open && (
				<div className="row-actions">
					{isOwner && (
						<button
							onClick={() => {
								setName(file.name)
								setRenaming(true)
							}}
							data-testid="rename"
						>
							Rename
						</button>
					)}
					<button disabled={!client} onClick={() => void run(() => client!.mutate({ name: 'pinFile', args: { fileId: file.id, isPinned: !isPinned } }))} data-testid="pin">
						{isPinned ? 'Unpin' : 'Pin'}
					</button>
					<button onClick={() => void run(async () => navigate(paths.file((await createFile(token, { duplicateOf: file.id })).id)))} data-testid="duplicate">
						Duplicate
					</button>
					<button onClick={() => void run(() => downloadFile(token, file.id, file.name))} data-testid="download">
						Download
					</button>
					{isOwner &&
						(confirmDelete ? (
							<button
								className="danger"
								data-testid="confirm-delete"
								onClick={() =>
									void run(async () => {
										await deleteFile(token, file.id)
										navigate(paths.files())
									})
								}
							>
								Really delete
							</button>
						) : (
							<button onClick={() => setConfirmDelete(true)} data-testid="delete">
								Delete
							</button>
						))}
				</div>
			)}
		</li>
	)
}
