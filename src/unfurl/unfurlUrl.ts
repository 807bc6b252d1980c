import { checkParsedTarget } from './checkUnfurlTarget'
import { EMPTY_METADATA, parseHtmlMetadata, type UnfurlMetadata } from './parseHtmlMetadata'
import { ErrorCode } from '../http/errors'

/** How an unfurl fails, with the HTTP status of each code. */
export const UNFURL_ERROR_STATUS = {
	[ErrorCode.INVALID_URL]: 400,
	[ErrorCode.FORBIDDEN_TARGET]: 403,
	[ErrorCode.UPSTREAM_ERROR]: 502,
	[ErrorCode.UPSTREAM_TIMEOUT]: 504,
} as const
export type UnfurlErrorCode = keyof typeof UNFURL_ERROR_STATUS

/** Whole unfurl budget: every hop's headers plus the capped body. */
export const UNFURL_TIMEOUT_MS = 5_000
/** Bytes of HTML read at most; the tags we want live in <head>, so a longer page is parsed truncated. */
export const MAX_UNFURL_HTML_BYTES = 512 * 1024
/** Redirects followed at most; each Location is checked like the original URL. */
export const MAX_UNFURL_REDIRECTS = 3

/** `fetch` as the unfurler uses it (the global one in the Worker; a fake in tests). */
export type FetchFn = (url: string, init: RequestInit) => Promise<Response>

export type UnfurlOptions = {
	fetch: FetchFn
	timeoutMs?: number
	maxBytes?: number
	maxRedirects?: number
}

export type UnfurlResult =
	| { ok: true; metadata: UnfurlMetadata; finalUrl: string }
	| { ok: false; code: UnfurlErrorCode; message: string }

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const HTML_TYPE_RE = /^(?:text\/html|application\/xhtml\+xml)$/

/** Our own headers only: the caller's cookies and Authorization are never forwarded. */
const REQUEST_HEADERS = {
	Accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
	'User-Agent': 'Mozilla/5.0 (compatible; sync-worker-unfurl/1.0; bookmark preview)',
}

class Timeout extends Error {}

/**
 * Fetches `target` (already passed checkUnfurlTarget) and reads its bookmark metadata. Redirects are
 * followed by hand, at most `maxRedirects`, and each Location is checked again, so a public URL can't
 * bounce the server to a private one. One deadline covers all hops and the body; at most `maxBytes`
 * of the body are read. A page that is not HTML gives empty metadata (an image gives itself as image).
 */
export async function unfurlUrl(target: URL, options: UnfurlOptions): Promise<UnfurlResult> {
	const timeoutMs = options.timeoutMs ?? UNFURL_TIMEOUT_MS
	const maxRedirects = options.maxRedirects ?? MAX_UNFURL_REDIRECTS
	const controller = new AbortController()
	let onTimeout = () => {}
	const timedOut = new Promise<never>((_, reject) => (onTimeout = () => reject(new Timeout())))
	// Never unhandled: every await below races against it.
	timedOut.catch(() => {})
	const timer = setTimeout(() => {
		onTimeout()
		controller.abort()
	}, timeoutMs)
	const withDeadline = <T>(p: Promise<T>) => Promise.race([p, timedOut])
	try {
		let url = target
		for (let redirects = 0; ; redirects++) {
			let res: Response
			try {
				res = await withDeadline(options.fetch(url.href, { method: 'GET', redirect: 'manual', headers: REQUEST_HEADERS, signal: controller.signal }))
			} catch (err) {
				if (err instanceof Timeout || controller.signal.aborted) throw err
				return failure(ErrorCode.UPSTREAM_ERROR, `could not reach ${url.host}`)
			}
			if (REDIRECT_STATUSES.has(res.status)) {
				await discard(res)
				const location = res.headers.get('Location')
				if (!location) return failure(ErrorCode.UPSTREAM_ERROR, `${url.host} answered ${res.status} without a Location`)
				if (redirects >= maxRedirects) return failure(ErrorCode.UPSTREAM_ERROR, `more than ${maxRedirects} redirects`)
				let next: URL
				try {
					next = new URL(location, url)
				} catch {
					return failure(ErrorCode.UPSTREAM_ERROR, `${url.host} redirected to an invalid URL`)
				}
				const check = checkParsedTarget(next)
				// Whatever is wrong with the Location (private host, javascript:, too long), the site sent it, not the caller.
				if (!check.ok) return failure(ErrorCode.FORBIDDEN_TARGET, `redirect refused: ${check.message}`)
				url = check.url
				continue
			}
			if (!res.ok) {
				await discard(res)
				return failure(ErrorCode.UPSTREAM_ERROR, `${url.host} answered ${res.status}`)
			}
			const mediaType = (res.headers.get('Content-Type') ?? 'text/html').split(';')[0]!.trim().toLowerCase()
			if (!HTML_TYPE_RE.test(mediaType)) {
				await discard(res)
				const metadata = mediaType.startsWith('image/') ? { ...EMPTY_METADATA, image: url.href } : { ...EMPTY_METADATA }
				return { ok: true, metadata, finalUrl: url.href }
			}
			const bytes = await readCapped(res, options.maxBytes ?? MAX_UNFURL_HTML_BYTES, withDeadline)
			const html = decodeHtml(bytes, res.headers.get('Content-Type'))
			return { ok: true, metadata: parseHtmlMetadata(html, url.href), finalUrl: url.href }
		}
	} catch (err) {
		if (err instanceof Timeout || controller.signal.aborted) {
			return failure(ErrorCode.UPSTREAM_TIMEOUT, `the page did not load within ${timeoutMs} ms`)
		}
		return failure(ErrorCode.UPSTREAM_ERROR, 'the page could not be read')
	} finally {
		clearTimeout(timer)
	}
}

function failure(code: UnfurlErrorCode, message: string): UnfurlResult {
	return { ok: false, code, message }
}

async function discard(res: Response): Promise<void> {
	await res.body?.cancel().catch(() => {})
}

/** The first `maxBytes` of the body; stops reading (and cancels the stream) once it has them. */
async function readCapped(res: Response, maxBytes: number, withDeadline: <T>(p: Promise<T>) => Promise<T>): Promise<Uint8Array> {
	if (!res.body) return new Uint8Array()
	const reader = res.body.getReader()
	const chunks: Uint8Array[] = []
	let total = 0
	try {
		while (total < maxBytes) {
			const { done, value } = await withDeadline(reader.read())
			if (done) break
			chunks.push(value)
			total += value.byteLength
		}
	} finally {
		reader.cancel().catch(() => {})
	}
	const out = new Uint8Array(Math.min(total, maxBytes))
	let offset = 0
	for (const chunk of chunks) {
		const part = chunk.subarray(0, out.byteLength - offset)
		out.set(part, offset)
		offset += part.byteLength
		if (offset >= out.byteLength) break
	}
	return out
}

/** Decodes with the charset of the Content-Type header or an early <meta charset>, else UTF-8. */
export function decodeHtml(bytes: Uint8Array, contentType: string | null): string {
	const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1]
	// Byte-per-char view of the start: charset labels are ASCII whatever the encoding.
	const head = String.fromCharCode(...bytes.subarray(0, 1024))
	const fromMeta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1]
	for (const label of [fromHeader, fromMeta, 'utf-8']) {
		if (!label) continue
		try {
			return new TextDecoder(label).decode(bytes)
		} catch {
			// Unknown label: try the next source.
		}
	}
	return new TextDecoder().decode(bytes)
}
