import { TLSyncErrorCloseEventCode } from '@tldraw/sync-core'
import { MAX_FRAME_BYTES } from '../config'
import { parseClientMessage, type ClientMessage } from './clientMessageSchema'
import { CloseCode } from './closeCodes'

/** The chunks of a split message received so far (tldraw's `chunk()` splits messages over 1 MiB). */
export interface PendingMessage {
	parts: string[]
	bytes: number
	/** The chunk prefix the next part must carry. */
	nextRemaining: number
}

export type FrameVerdict =
	| { kind: 'partial'; pending: PendingMessage }
	| { kind: 'message'; text: string; message: ClientMessage }
	| { kind: 'reject'; code: number; reason: string }

// tldraw's `chunk()` prefixes each part with the number of parts still to come: "2_…", "1_…", "0_…".
const CHUNK_RE = /^(\d+)_/

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
const encoder = new TextEncoder()
/** A close reason is at most 123 bytes (UTF-8); ours are printable ASCII and cut to fit. */
const MAX_REASON_BYTES = 123

/** UTF-8 size of a frame; a string is encoded only when its upper bound (3 bytes per UTF-16 unit) could exceed `budget`. */
function frameSize(frame: string | ArrayBuffer, budget: number): number {
	if (typeof frame !== 'string') return frame.byteLength
	return frame.length * 3 <= budget ? frame.length : encoder.encode(frame).byteLength
}

/**
 * Decides whether one client frame may reach the room, assembling split messages itself so the whole
 * message is checked: size (MESSAGE_TOO_LARGE), UTF-8, JSON, and the sync protocol's shape
 * (clientMessageSchema). Anything else closes only its own socket with 1007 and never touches the
 * document. `text` is what the room receives: one unsplit JSON message.
 */
export function checkClientFrame(frame: string | ArrayBuffer, pending: PendingMessage | null, maxMessageBytes: number): FrameVerdict {
	const pendingBytes = pending?.bytes ?? 0
	const budget = Math.min(MAX_FRAME_BYTES, maxMessageBytes - pendingBytes)
	// An exact size for split messages, whose chunk sizes add up; a bound is enough for a whole message.
	const frameBytes = typeof frame === 'string' && CHUNK_RE.test(frame) ? encoder.encode(frame).byteLength : frameSize(frame, budget)
	if (frameBytes > budget) {
		return { kind: 'reject', code: TLSyncErrorCloseEventCode, reason: CloseCode.MESSAGE_TOO_LARGE }
	}
	let text: string
	try {
		text = typeof frame === 'string' ? frame : decoder.decode(frame)
	} catch {
		return malformed('frame is not UTF-8')
	}
	const chunk = CHUNK_RE.exec(text)
	if (chunk) {
		const remaining = Number(chunk[1])
		if (!Number.isSafeInteger(remaining)) return malformed('bad chunk prefix')
		if (pending && remaining !== pending.nextRemaining) return malformed('chunks out of order')
		const parts = [...(pending?.parts ?? []), text.slice(chunk[0].length)]
		if (remaining > 0) return { kind: 'partial', pending: { parts, bytes: pendingBytes + frameBytes, nextRemaining: remaining - 1 } }
		text = parts.join('')
	} else if (pending) {
		return malformed('expected the next chunk of a split message')
	}
	// Every message is parsed and checked here, pushes included: skipping them would let `{"type":"push"}`
	// through (issue 12). TLSocketRoom parses the text again; it takes no parsed message.
	let value: unknown
	try {
		value = JSON.parse(text)
	} catch {
		return malformed('not JSON')
	}
	const parsed = parseClientMessage(value)
	if (!parsed.ok) return malformed(parsed.what)
	// TLSocketRoom's assembler treats only text starting with "{" as a whole message.
	return { kind: 'message', text: text.trimStart(), message: parsed.message }
}

export function malformed(detail: string): Extract<FrameVerdict, { kind: 'reject' }> {
	// The detail may quote record ids from the client: keep it printable ASCII so the cut is exact.
	const reason = `MALFORMED_MESSAGE: ${detail}`.replace(/[^\x20-\x7e]/g, '?')
	return { kind: 'reject', code: CloseCode.MALFORMED_MESSAGE_CODE, reason: reason.slice(0, MAX_REASON_BYTES) }
}
