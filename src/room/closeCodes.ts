/**
 * Close codes and reasons the rooms use besides tldraw's own `TLSyncErrorCloseEventReason`.
 * Code 4099 with a reason is fatal for a stock tldraw client (it shows the reason and stops
 * reconnecting); any other code makes it reconnect.
 */
export const CloseCode = {
	/** 4099 reason: an assembled message exceeded MAX_MESSAGE_BYTES (fatal, so a client never loops resending it). */
	MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
	/** 4099 reason: the push could take the document past MAX_DOCUMENT_BYTES; none of it was applied. */
	DOCUMENT_TOO_LARGE: 'DOCUMENT_TOO_LARGE',
	/** 4099 reason: a second `connect` on one socket (each one makes the room send the whole document). */
	DUPLICATE_CONNECT: 'DUPLICATE_CONNECT',
	/** 4099 reason: a newer socket connected with this socket's sessionId (a reconnect, or a twin). */
	SESSION_REPLACED: 'SESSION_REPLACED',
	/** 1007 "invalid frame payload data": a frame that is not a tldraw sync message. */
	MALFORMED_MESSAGE_CODE: 1007,
	/** 1012 "service restart": the room woke from hibernation without a resumable session; reconnect. */
	SERVICE_RESTART_CODE: 1012,
} as const
