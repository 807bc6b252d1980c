/**
 * What the connection state means, in plain words, for the banner over a canvas. The close reasons are
 * tldraw's (TLSyncErrorCloseEventReason) plus this server's own (README "WebSocket closes").
 */
export type ConnectionView = {
	/** `fatal`: the canvas is gone and will not come back by itself; `warning`: it is retrying. */
	tone: 'info' | 'warning' | 'fatal'
	title: string
	detail: string
	/** The server's reason code, shown as-is so it can be searched for. */
	code?: string
}

export type ConnectionInput =
	| { status: 'loading' }
	| { status: 'synced-remote'; connectionStatus: 'online' | 'offline' }
	| { status: 'error'; reason: string | null; message?: string }

const REASONS: Record<string, { title: string; detail: string }> = {
	NOT_FOUND: { title: 'Not found', detail: 'This canvas does not exist, or it was deleted.' },
	FORBIDDEN: { title: 'No access', detail: 'The owner has not shared this file with you, or stopped sharing it.' },
	NOT_AUTHENTICATED: { title: 'Sign in required', detail: 'This file is private: sign in as someone it is shared with.' },
	ROOM_FULL: { title: 'Room is full', detail: 'Too many people are in this room right now. Try again later.' },
	RATE_LIMITED: { title: 'Too many connections', detail: 'Slow down: too many connections or edits in a short time. Reload in a minute.' },
	MESSAGE_TOO_LARGE: { title: 'Change too large', detail: 'The last change was larger than the server accepts; it was not saved.' },
	CLIENT_TOO_OLD: { title: 'App out of date', detail: 'This document uses shapes this version of the app does not know, or the server is newer than this page. Reload to update.' },
	SERVER_TOO_OLD: { title: 'Server out of date', detail: 'This page is newer than the server. Try again after the server is updated.' },
	INVALID_RECORD: { title: 'Change refused', detail: 'The server refused a change as invalid; reload to get the current document.' },
	MAX_ROOM_SIZE_EXCEEDED: { title: 'Document too large', detail: 'This document reached the largest size the server stores.' },
	UNKNOWN_ERROR: { title: 'Server error', detail: 'Something went wrong on the server. Reload to try again.' },
}

export function describeConnection(input: ConnectionInput): ConnectionView | null {
	switch (input.status) {
		case 'loading':
			return { tone: 'info', title: 'Connecting…', detail: 'Opening the canvas.' }
		case 'synced-remote':
			return input.connectionStatus === 'offline' ? { tone: 'warning', title: 'Offline', detail: 'Reconnecting… your edits are kept and sent when the connection is back.' } : null
		case 'error': {
			const reason = input.reason ?? 'UNKNOWN_ERROR'
			const known = REASONS[reason]
			return known ? { tone: 'fatal', ...known, code: reason } : { tone: 'fatal', title: 'Disconnected', detail: input.message || 'The server closed the connection.', code: reason }
		}
	}
}
