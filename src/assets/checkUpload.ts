import { ErrorCode } from '../http/errors'

/** Largest asset accepted, in bytes (the whole body is held in memory to hash and sniff it). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024
/** Bytes from the start of a body that `sniffContentType` looks at. */
export const SNIFF_BYTES = 4 * 1024

/**
 * What may be uploaded. SVG is allowed because tldraw inserts SVG images, and it is safe to serve:
 * every upload is served with `Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline';
 * sandbox` and `X-Content-Type-Options: nosniff` (uploadsApi.ts), so a script inside an SVG never runs,
 * even when the SVG is opened directly; inside `<img>` browsers never run SVG scripts anyway.
 */
export const UPLOAD_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml', 'video/mp4', 'video/webm'] as const
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number]

/**
 * Object names as tldraw clients make them (`<id>-<sanitised file name>`): ASCII letters, digits, `.`,
 * `_`, `-`; no leading dot, no `..`, at most 200 characters. Nothing that needs URL-escaping, no path
 * separators, so a name is its own R2 key and URL segment.
 */
export const OBJECT_NAME_RE = /^(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/

export function isValidObjectName(name: string): boolean {
	return OBJECT_NAME_RE.test(name)
}

export function isUploadContentType(value: string): value is UploadContentType {
	return (UPLOAD_CONTENT_TYPES as readonly string[]).includes(value)
}

/** The media type of a Content-Type header, lowercased and without parameters (`image/PNG; x=y` → `image/png`). */
export function parseMediaType(header: string | null): string | null {
	const type = header?.split(';')[0]?.trim().toLowerCase()
	return type ? type : null
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
	bytes.byteLength >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b)
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))

/**
 * The content type the bytes actually are (magic numbers; SVG by its leading markup), or null.
 * SVG: optional BOM, XML declaration, comments and a DOCTYPE *without* an internal subset, then `<svg`.
 * An internal DTD subset (entity definitions: "billion laughs") is refused.
 */
export function sniffContentType(head: Uint8Array): UploadContentType | null {
	if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
	if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg'
	if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif'
	if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp'
	if (startsWith(head, ascii('ftyp'), 4)) return 'video/mp4'
	// EBML header; its DocType element names the flavour ("webm" rather than "matroska").
	if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3]) && new TextDecoder().decode(head.subarray(0, 64)).includes('webm')) return 'video/webm'
	const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(head)
	if (/^\s*(?:<\?xml\b[^>]*\?>\s*)?(?:(?:<!--[\s\S]*?-->|<!DOCTYPE\s+svg\b[^>[]*>)\s*)*<svg[\s>/]/i.test(text)) return 'image/svg+xml'
	return null
}

export type UploadInput = {
	objectName: string
	/** The request's Content-Type header. */
	contentType: string | null
	/** Body size in bytes: the declared Content-Length before reading (null when absent), then the real size. */
	size: number | null
	/** The first bytes of the body (up to SNIFF_BYTES); null before the body is read. */
	head: Uint8Array | null
	/** Size cap in bytes; MAX_UPLOAD_BYTES unless the route has its own (anonymous uploads). */
	maxBytes?: number
}

export type UploadCheck =
	| { ok: true; contentType: UploadContentType }
	| { ok: false; status: 400 | 413 | 415; code: ErrorCode; message: string }

/**
 * May this upload be stored? Called twice by the handler: with the headers only (cheap refusals before
 * the body is read), then with the real size and first bytes. The stored content type is the
 * canonical one from the list, never the client's header text.
 */
export function checkUpload(input: UploadInput): UploadCheck {
	if (!isValidObjectName(input.objectName)) {
		return { ok: false, status: 400, code: ErrorCode.INVALID_ID, message: 'object name must be 1-200 of A-Z a-z 0-9 . _ -, not starting with "." and without ".."' }
	}
	const type = parseMediaType(input.contentType)
	if (type === null || !isUploadContentType(type)) {
		return { ok: false, status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: `Content-Type must be one of ${UPLOAD_CONTENT_TYPES.join(', ')}` }
	}
	const maxBytes = input.maxBytes ?? MAX_UPLOAD_BYTES
	if (input.size !== null && input.size > maxBytes) {
		return { ok: false, status: 413, code: ErrorCode.PAYLOAD_TOO_LARGE, message: `uploads are limited to ${maxBytes} bytes` }
	}
	if (input.size === 0) return { ok: false, status: 400, code: ErrorCode.BAD_REQUEST, message: 'the upload is empty' }
	if (input.head !== null) {
		const actual = sniffContentType(input.head)
		if (actual !== type) {
			return {
				ok: false,
				status: 415,
				code: ErrorCode.CONTENT_TYPE_MISMATCH,
				message: `the bytes are ${actual ?? 'not a supported image or video'}, but Content-Type says ${type}`,
			}
		}
	}
	return { ok: true, contentType: type }
}
