import type { ClientMessage } from './clientMessageSchema'

/** From this share of MAX_DOCUMENT_BYTES on, rooms tell their clients (a `custom` message they can show). */
export const DOCUMENT_SIZE_WARNING_RATIO = 0.8

export type DocumentSizeLevel = 'ok' | 'warning'

/** The `custom` message (TLSyncClient's `onCustomMessageReceived`) a room sends when its level changes. */
export interface DocumentSizeNotice {
	type: 'document_size'
	level: DocumentSizeLevel
	bytes: number
	maxBytes: number
	message: string
}

const encoder = new TextEncoder()

export function documentSizeLevel(bytes: number, maxBytes: number): DocumentSizeLevel {
	return bytes >= maxBytes * DOCUMENT_SIZE_WARNING_RATIO ? 'warning' : 'ok'
}

export function documentSizeNotice(bytes: number, maxBytes: number): DocumentSizeNotice {
	const level = documentSizeLevel(bytes, maxBytes)
	const percent = Math.floor((bytes / maxBytes) * 100)
	const mib = (maxBytes / 1024 / 1024).toFixed(maxBytes % (1024 * 1024) === 0 ? 0 : 2)
	const message =
		level === 'warning'
			? `This document is at ${percent}% of its ${mib} MiB limit; changes that would take it past the limit are refused.`
			: `This document is at ${percent}% of its ${mib} MiB limit.`
	return { type: 'document_size', level, bytes, maxBytes, message }
}

/**
 * The most a push can add to the stored document: a put stores its record, a patch at most its values,
 * so the message's own size bounds the growth (tldraw stores records as their JSON). Pushes that only
 * remove records or move presence add nothing, so a full document can always be cleaned up.
 */
export function pushGrowthBound(message: ClientMessage, text: string): number {
	if (message.type !== 'push' || !message.diff) return 0
	for (const op of Object.values(message.diff)) if (op[0] !== 'remove') return utf8Length(text)
	return 0
}

/** UTF-8 size of a string without encoding it (no copy on the per-push path). */
export function utf8Length(text: string): number {
	let bytes = text.length
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i)
		if (c < 0x80) continue
		if (c < 0x800) bytes += 1
		// A surrogate pair is two UTF-16 units and four UTF-8 bytes: one extra byte per unit.
		else if (c >= 0xd800 && c <= 0xdfff) bytes += 1
		else bytes += 2
	}
	return bytes
}

/** The bytes these records take when stored (tldraw stores each record as its JSON, UTF-8). */
export function recordsBytes(records: readonly unknown[]): number {
	let bytes = 0
	for (const r of records) bytes += encoder.encode(JSON.stringify(r)).byteLength
	return bytes
}

/** A change fits when the document after it stays within the cap. */
export function fitsDocument(documentBytes: number, growthBytes: number, maxBytes: number): boolean {
	return growthBytes === 0 || documentBytes + growthBytes <= maxBytes
}
