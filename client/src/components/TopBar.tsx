import type { ReactNode } from 'react'
import { navigate } from '../navigation'
import { paths } from '../routes'

/** The strip above every canvas: home link, a title, and the page's own actions. */
export function TopBar({ title, children }: { title: ReactNode; children?: ReactNode }) {
	return (
		<header className="top-bar">
			<a
				className="brand"
				href={paths.start()}
				onClick={(e) => {
					e.preventDefault()
					navigate(paths.start())
				}}
			>
				sync-worker
			</a>
			<div className="title">{title}</div>
			<div className="actions">{children}</div>
		</header>
	)
}

/** Copies text, and says so; the text also stays on screen (clipboard access can be refused). */
export async function copyText(text: string): Promise<boolean> {
	try {
		await navigator.clipboard.writeText(text)
		return true
	} catch {
		return false
	}
}

export function CopyField({ label, value, testId }: { label: string; value: string; testId: string }) {
	return (
		<label className="copy-field">
			<span>{label}</span>
			<input readOnly value={value} data-testid={testId} onFocus={(e) => e.currentTarget.select()} />
		</label>
	)
}
