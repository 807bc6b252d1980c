import type { ConnectionView } from '../canvas/describeConnection'

/** Replaces the canvas while there is none: connecting, or closed for good with the server's reason. */
export function ConnectionPanel({ view }: { view: ConnectionView | null }) {
	if (!view) return null
	return (
		<div className={`connection-panel tone-${view.tone}`} data-testid="connection-status" data-code={view.code ?? ''} role="status">
			<h2>{view.title}</h2>
			<p>{view.detail}</p>
			{view.code && <p className="code">Reason: {view.code}</p>}
		</div>
	)
}

/** A strip over a live canvas while it is offline and reconnecting. */
export function ConnectionBanner({ view }: { view: ConnectionView | null }) {
	if (!view) return null
	return (
		<div className={`connection-banner tone-${view.tone}`} data-testid="connection-status" data-code={view.code ?? ''} role="status">
			<strong>{view.title}</strong> {view.detail}
		</div>
	)
}
