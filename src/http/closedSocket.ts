import { TLSyncErrorCloseEventCode, type TLSyncErrorCloseEventReason } from '@tldraw/sync-core'

/**
 * Answers a WebSocket upgrade with a socket that closes at once with tldraw's fatal code and a reason,
 * so useSync shows why (NOT_AUTHENTICATED, FORBIDDEN, …) instead of retrying an HTTP error forever.
 */
export function closedSocketResponse(reason: TLSyncErrorCloseEventReason): Response {
	const { 0: client, 1: server } = new WebSocketPair()
	server.accept()
	server.close(TLSyncErrorCloseEventCode, reason)
	return new Response(null, { status: 101, webSocket: client })
}
