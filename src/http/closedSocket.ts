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

/** Close codes of the user-data socket (not a tldraw room, so not 4099). */
export const UserSocketCloseCode = {
	NOT_AUTHENTICATED: 4401,
	FORBIDDEN: 4403,
} as const

/** Like closedSocketResponse, for sockets with their own 4xxx codes. */
export function closedSocketWithCode(code: number, reason: string): Response {
	const { 0: client, 1: server } = new WebSocketPair()
	server.accept()
	server.close(code, reason)
	return new Response(null, { status: 101, webSocket: client })
}
