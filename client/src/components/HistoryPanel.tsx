import { useCallback, useEffect, useState } from 'react'
import { apiJson, describeError, type TokenSource } from '../api'

type Version = { version: string; createdAt: string; clock: number; bytes: number }
type RecordLike = { id: string; typeName: string; type?: string }
type Diff = { from: string; to: string; added: RecordLike[]; removed: RecordLike[]; changed: Array<{ id: string; before: RecordLike; after: RecordLike }> }

/**
 * A canvas's history (README "History"): versions newest first, what a version differs by from the current
 * document, and restore (which is itself a new version, so it can be undone the same way).
 * `basePath` is `/r/<roomId>` or `/app/file/<fileId>`.
 */
export function HistoryPanel({ basePath, token, canRestore, onClose }: { basePath: string; token?: TokenSource; canRestore: boolean; onClose: () => void }) {
	const [versions, setVersions] = useState<Version[] | null>(null)
	const [selected, setSelected] = useState<string | null>(null)
	const [diff, setDiff] = useState<Diff | null>(null)
	const [message, setMessage] = useState<string | null>(null)
	const [busy, setBusy] = useState(false)

	const load = useCallback(async () => {
		try {
			const page = await apiJson<{ versions: Version[] }>(`${basePath}/history?limit=50`, { token })
			setVersions(page.versions)
		} catch (err) {
			setMessage(describeError(err))
		}
	}, [basePath, token])
	useEffect(() => {
		void load()
	}, [load])

	async function select(version: string) {
		setSelected(version)
		setDiff(null)
		try {
			setDiff(await apiJson<Diff>(`${basePath}/history/${version}/diff`, { token }))
		} catch (err) {
			setMessage(describeError(err))
		}
	}

	async function restore(version: string) {
		setBusy(true)
		try {
			await apiJson(`${basePath}/history/${version}/restore`, { method: 'POST', token })
			setMessage(`Restored the version of ${formatTime(version)}.`)
			setSelected(null)
			setDiff(null)
			await load()
		} catch (err) {
			setMessage(describeError(err))
		} finally {
			setBusy(false)
		}
	}

	return (
		<aside className="side-panel history-panel" data-testid="history-panel">
			<header>
				<h3>History</h3>
				<button onClick={() => void load()}>Refresh</button>
				<button onClick={onClose} aria-label="Close history">✕</button>
			</header>
			{message && <p className="note" data-testid="history-message">{message}</p>}
			{versions === null ? (
				<p className="note">Loading…</p>
			) : versions.length === 0 ? (
				<p className="note">No versions yet: the server saves one a few seconds after each change.</p>
			) : (
				<ol className="versions">
					{versions.map((v) => (
						<li key={v.version} className={v.version === selected ? 'selected' : ''}>
							<button className="version" data-testid="history-version" data-version={v.version} onClick={() => void select(v.version)}>
								{formatTime(v.version)} <span className="muted">{formatBytes(v.bytes)}</span>
							</button>
							{v.version === selected && (
								<div className="diff" data-testid="history-diff">
									{diff ? <DiffSummary diff={diff} /> : <p className="note">Comparing…</p>}
									{canRestore && (
										<button disabled={busy} data-testid="history-restore" onClick={() => void restore(v.version)}>
											Restore this version
										</button>
									)}
								</div>
							)}
						</li>
					))}
				</ol>
			)}
		</aside>
	)
}

/** From the version to the current document: what restoring it would undo. */
function DiffSummary({ diff }: { diff: Diff }) {
	const label = (r: RecordLike) => (r.type ? `${r.type} ${r.typeName}` : r.typeName)
	const rows = [
		...diff.added.map((r) => ({ sign: '+', text: `${label(r)} added since` })),
		...diff.removed.map((r) => ({ sign: '−', text: `${label(r)} removed since` })),
		...diff.changed.map((c) => ({ sign: '~', text: `${label(c.after)} changed since` })),
	].filter((r) => !/instance|camera|pointer|presence/.test(r.text))
	if (rows.length === 0) return <p className="note">Same as the current document.</p>
	return (
		<ul className="diff-rows">
			{rows.slice(0, 12).map((r, i) => (
				<li key={i}>
					<code>{r.sign}</code> {r.text}
				</li>
			))}
			{rows.length > 12 && <li className="muted">…and {rows.length - 12} more</li>}
		</ul>
	)
}

function formatTime(version: string) {
	const date = new Date(version)
	return Number.isNaN(date.getTime()) ? version : date.toLocaleString()
}

function formatBytes(bytes: number) {
	return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`
}
