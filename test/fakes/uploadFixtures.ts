/** Smallest byte strings that each upload content type's sniffer accepts, plus impostors. */
const bytes = (...parts: Array<string | number[]>) =>
	new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(new TextEncoder().encode(p)) : p)))

export const SAMPLE_UPLOADS = {
	'image/png': bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13], 'IHDR', [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]),
	'image/jpeg': bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], 'JFIF', [0]),
	'image/gif': bytes('GIF89a', [1, 0, 1, 0, 0, 0, 0]),
	'image/webp': bytes('RIFF', [26, 0, 0, 0], 'WEBPVP8 '),
	'image/svg+xml': bytes('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'),
	'video/mp4': bytes([0, 0, 0, 0x18], 'ftypisom', [0, 0, 2, 0], 'isomiso2'),
	'video/webm': bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm', [0x42, 0x87, 0x81, 0x04]),
} as const

export const IMPOSTORS = {
	html: bytes('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'),
	svgWithEntities: bytes('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]><svg>&a;</svg>'),
	matroska: bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88], 'matroska'),
	text: bytes('hello world'),
} as const

/** `n` bytes that sniff as PNG (a real signature, then padding). */
export function pngOfSize(n: number): Uint8Array {
	const out = new Uint8Array(n)
	out.set(SAMPLE_UPLOADS['image/png'].subarray(0, Math.min(n, SAMPLE_UPLOADS['image/png'].byteLength)))
	return out
}
