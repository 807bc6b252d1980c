import { TLSyncErrorCloseEventCode } from '@tldraw/sync-core'
import { MAX_FRAME_BYTES } from '../config'
import { CloseCode } from './closeCodes'

export type FrameVerdict =
	| { kind: 'accept'; text: string; pendingBytes: number; isPush: boolean }
	| { kind: 'reject'; code: number; reason: string }

const CLIENT_MESSAGE_TYPES = new Set(['connect', 'push', 'ping'])
// tldraw's `chunk()` prefixes each part with the number of parts still to come: "2_…", "1_…", "0_…".
const CHUNK_RE = /^(\d+)_/

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
const encoder = new TextEncoder()
// The messages tldraw's client sends begin with their type: these need no parse here (TLSocketRoom parses
// them anyway, so parsing twice was per-message overhead). Anything else is parsed and checked in full.
const PUSH_PREFIX = '{"type":"push",'

/** UTF-8 size of a frame; a string is encoded only when its upper bound (3 bytes per UTF-16 unit) could exceed `budget`. */
function frameSize(frame: string | ArrayBuffer, budget: number): number {
	if (typeof frame !== 'string') return frame.byteLength
	return frame.length * 3 <= budget ? frame.length : encoder.encode(frame).byteLength
}

/**
 * Decides whether one client frame may reach the room. `pendingBytes` is the size of the chunks of the
 * message being assembled so far; the verdict returns the new value. Checking here, before TLSocketRoom,
 * means an oversized or malformed frame closes only its own socket and never touches the document.
 */
export function checkClientFrame(
	frame: string | ArrayBuffer,
	pendingBytes: number,
	maxMessageBytes: number,
): FrameVerdict {
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
		// The assembler in TLSocketRoom validates the joined JSON; we only bound its size.
		// Only pushes grow large enough to be split, so a completed split message counts as a push.
		return { kind: 'accept', text, pendingBytes: remaining === 0 ? 0 : pendingBytes + frameBytes, isPush: remaining === 0 }
	}
	if (pendingBytes > 0) return malformed('expected the next chunk of a split message')
	if (text.startsWith(PUSH_PREFIX)) return { kind: 'accept', text, pendingBytes: 0, isPush: true }
	let message: unknown
	try {
		message = JSON.parse(text)
	} catch {
		return malformed('frame is not JSON')
	}
	if (
		typeof message !== 'object' ||
		message === null ||
		Array.isArray(message) ||
		!CLIENT_MESSAGE_TYPES.has((message as { type?: unknown }).type as string)
	) {
		return malformed('expected {"type":"connect"|"push"|"ping",…}')
	}
	return { kind: 'accept', text, pendingBytes: 0, isPush: (message as { type: string }).type === 'push' }
}

function malformed(detail: string): FrameVerdict {
	return { kind: 'reject', code: CloseCode.MALFORMED_MESSAGE_CODE, reason: `MALFORMED_MESSAGE: ${detail}` }
}
