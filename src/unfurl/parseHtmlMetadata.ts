import { z } from 'zod'

/** What a bookmark shows. Every field is null when the page does not say; URLs are absolute http(s). */
export const UnfurlMetadataSchema = z.object({
	title: z.string().nullable(),
	description: z.string().nullable(),
	image: z.string().nullable(),
	favicon: z.string().nullable(),
})
export type UnfurlMetadata = z.infer<typeof UnfurlMetadataSchema>

export const MAX_TITLE_CHARS = 300
export const MAX_DESCRIPTION_CHARS = 1_000
export const MAX_OUTPUT_URL_CHARS = 2_048

export const EMPTY_METADATA: UnfurlMetadata = Object.freeze({ title: null, description: null, image: null, favicon: null })

/** Metadata lives in `<head>`: at most this much of it is read (from `<head>`, or from the start without one). */
export const MAX_HEAD_CHARS = 64 * 1024
/** A tag longer than this is skipped unread (a real `<meta>` is a few hundred characters). */
export const MAX_TAG_CHARS = 8 * 1024
/** At most this much of `<title>`'s text is cleaned; the title is capped at MAX_TITLE_CHARS anyway. */
const MAX_RAW_TITLE_CHARS = 4 * MAX_TITLE_CHARS
/** Elements whose content is not markup: text inside them cannot pose as a tag. */
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'template', 'svg', 'textarea'])

/**
 * Bookmark metadata from a (possibly truncated) HTML page. `pageUrl` is the URL the page was finally
 * served from, for resolving relative links (a `<base href>` overrides it).
 *
 * A small hand-written tokenizer: it only has to find a few head tags, must run the same in Node and
 * workerd (HTMLRewriter is workerd-only), never executes or fetches anything, and is linear in its input —
 * every character is looked at a bounded number of times and nothing is rescanned, so no page can make it
 * slow (the regexes it replaced took seconds on 64 KiB of `<meta ` without `>`). It stops at `</head>`,
 * `<body>` or MAX_HEAD_CHARS. Comments and the content of script/style/template/svg/textarea are skipped.
 * Preference: og:* over twitter:* over plain HTML (`<title>`, `<meta name=description>`).
 */
export function parseHtmlMetadata(html: string, pageUrl: string): UnfurlMetadata {
	const meta = new Map<string, string>()
	const icons: Array<{ rel: string[]; href: string }> = []
	let base: string | null = null
	let titleTag: string | undefined
	for (const tag of headTags(html)) {
		if (tag.name === 'title') {
			titleTag ??= tag.text
			continue
		}
		const attrs = parseAttributes(tag.attrs)
		if (tag.name === 'meta') {
			const key = (attrs.get('property') ?? attrs.get('name') ?? attrs.get('itemprop'))?.trim().toLowerCase()
			const content = attrs.get('content')
			if (key && content !== undefined && !meta.has(key)) meta.set(key, content)
		} else if (tag.name === 'link') {
			const href = attrs.get('href')
			const rel = (attrs.get('rel') ?? '').toLowerCase().split(/\s+/).filter(Boolean)
			if (href) icons.push({ rel, href })
		} else if (base === null && attrs.get('href')) {
			base = toHttpUrl(attrs.get('href')!, pageUrl)
		}
	}
	const baseUrl = base ?? pageUrl
	const first = (...keys: string[]) => keys.map((k) => meta.get(k)).find((v) => v !== undefined && v.trim() !== '')

	const icon = icons.find((l) => l.rel.includes('icon')) ?? icons.find((l) => l.rel.some((r) => r.startsWith('apple-touch-icon')))
	const image = first('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src')
	return {
		title: cleanText(first('og:title', 'twitter:title') ?? titleTag, MAX_TITLE_CHARS),
		description: cleanText(first('og:description', 'description', 'twitter:description'), MAX_DESCRIPTION_CHARS),
		image: image === undefined ? null : toHttpUrl(image, baseUrl),
		favicon: icon ? toHttpUrl(icon.href, baseUrl) : null,
	}
}

type HeadTag = { name: 'meta' | 'link' | 'base'; attrs: string } | { name: 'title'; text: string }

/** The meta, link, base and title tags of the head, in document order. One forward pass. */
function* headTags(html: string): Generator<HeadTag> {
	let limit = Math.min(html.length, MAX_HEAD_CHARS)
	let i = 0
	while (i < limit) {
		const lt = html.indexOf('<', i)
		if (lt < 0 || lt >= limit) return
		if (html.startsWith('<!--', lt)) {
			const end = html.indexOf('-->', lt + 4)
			if (end < 0 || end >= limit) return
			i = end + 3
			continue
		}
		const tag = readTag(html, lt, limit)
		if (tag === 'text') {
			i = lt + 1
			continue
		}
		if (tag === 'cut') return
		i = tag.end
		if (tag.closing) {
			if (tag.name === 'head') return
			continue
		}
		if (tag.name === 'head') limit = Math.min(html.length, lt + MAX_HEAD_CHARS)
		else if (tag.name === 'body') return
		else if ((tag.name === 'meta' || tag.name === 'link' || tag.name === 'base') && tag.attrs !== null) yield { name: tag.name, attrs: tag.attrs }
		else if (tag.name === 'title' || RAW_TEXT_ELEMENTS.has(tag.name)) {
			const close = findClosingTag(html, tag.name, i, limit)
			if (close < 0) return // an unclosed script (or title) swallows the rest
			if (tag.name === 'title') yield { name: 'title', text: html.slice(i, Math.min(close, i + MAX_RAW_TITLE_CHARS)) }
			i = close
		}
	}
}

type RawTag = { name: string; closing: boolean; attrs: string | null; end: number }

/**
 * The tag starting at `lt`: 'text' when `<` does not start one, 'cut' when it does not end before `limit`
 * (nothing after an unterminated tag can be a tag either). Quotes count only as attribute values (after
 * `=`), as in browsers, so `>` inside a quoted value does not end the tag.
 */
function readTag(html: string, lt: number, limit: number): RawTag | 'text' | 'cut' {
	let j = lt + 1
	const closing = html.charCodeAt(j) === 0x2f // '/'
	if (closing) j++
	if (!isAsciiLetter(html.charCodeAt(j))) return j >= limit ? 'cut' : 'text'
	const nameStart = j
	while (j < limit && isNameChar(html.charCodeAt(j))) j++
	const name = j - nameStart <= 32 ? html.slice(nameStart, j).toLowerCase() : ''
	const attrStart = j
	let quote = 0
	let afterEquals = false
	for (; j < limit; j++) {
		const c = html.charCodeAt(j)
		if (quote !== 0) {
			if (c === quote) quote = 0
		} else if (c === 0x3e) {
			return { name, closing, attrs: j - attrStart <= MAX_TAG_CHARS ? html.slice(attrStart, j) : null, end: j + 1 }
		} else if ((c === 0x22 || c === 0x27) && afterEquals) {
			quote = c
			afterEquals = false
		} else if (c === 0x3d) {
			afterEquals = true
		} else if (!isSpace(c)) {
			afterEquals = false
		}
	}
	return 'cut'
}

/** Where `</name` starts at or after `from` (case-insensitive), or -1 before `limit`. Linear. */
function findClosingTag(html: string, name: string, from: number, limit: number): number {
	for (let k = html.indexOf('</', from); k >= 0 && k < limit; k = html.indexOf('</', k + 2)) {
		const after = k + 2 + name.length
		if (html.slice(k + 2, after).toLowerCase() === name && !isNameChar(html.charCodeAt(after))) return k
	}
	return -1
}

/** Attribute name → decoded value; the first occurrence of a name wins, as in browsers. Linear. */
export function parseAttributes(source: string): Map<string, string> {
	const attrs = new Map<string, string>()
	const n = source.length
	let i = 0
	while (i < n) {
		while (i < n && (isSpace(source.charCodeAt(i)) || source[i] === '/')) i++
		const nameStart = i
		// The first character may be '=' (a parse error browsers accept as part of the name).
		if (i < n) i++
		while (i < n && !isSpace(source.charCodeAt(i)) && source[i] !== '=' && source[i] !== '/') i++
		const name = source.slice(nameStart, i).toLowerCase()
		while (i < n && isSpace(source.charCodeAt(i))) i++
		let value = ''
		if (source[i] === '=') {
			i++
			while (i < n && isSpace(source.charCodeAt(i))) i++
			const quote = source[i]
			if (quote === '"' || quote === "'") {
				const close = source.indexOf(quote, i + 1)
				value = source.slice(i + 1, close < 0 ? n : close)
				i = close < 0 ? n : close + 1
			} else {
				const start = i
				while (i < n && !isSpace(source.charCodeAt(i))) i++
				value = source.slice(start, i)
			}
		}
		if (name && !attrs.has(name)) attrs.set(name, decodeEntities(value))
	}
	return attrs
}

function isSpace(c: number): boolean {
	return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d
}

function isAsciiLetter(c: number): boolean {
	return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

function isNameChar(c: number): boolean {
	return isAsciiLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x3a || c === 0x5f
}

/** An absolute http(s) URL for `value` relative to `base`, or null (javascript:, data:, unparsable, too long). */
export function toHttpUrl(value: string, base: string): string | null {
	let url: URL
	try {
		url = new URL(value.trim(), base)
	} catch {
		return null
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
	return url.href.length <= MAX_OUTPUT_URL_CHARS ? url.href : null
}

function cleanText(value: string | undefined, maxChars: number): string | null {
	if (value === undefined) return null
	// `[^<>]*` stops at the next `<`, so a run of `<` without `>` costs linear time, not quadratic.
	const text = decodeEntities(value.replace(/<[^<>]*>/g, ' '))
		.replace(/[\u0000-\u001f\u007f]/g, ' ')
		.replace(/\s+/g, ' ')
		.trim()
	if (text === '') return null
	const chars = Array.from(text)
	return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('').trimEnd()}…`
}

const NAMED_ENTITIES: Record<string, string> = {
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
	nbsp: '\u00a0',
	ndash: '–',
	mdash: '—',
	hellip: '…',
	lsquo: '‘',
	rsquo: '’',
	ldquo: '“',
	rdquo: '”',
	laquo: '«',
	raquo: '»',
	middot: '·',
	bull: '•',
	copy: '©',
	reg: '®',
	trade: '™',
}

/** Decodes numeric references and the common named ones; unknown names are left as written. */
export function decodeEntities(text: string): string {
	if (!text.includes('&')) return text
	return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});?/g, (whole, ref: string) => {
		if (ref.startsWith('#')) {
			const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
			const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
			return valid ? String.fromCodePoint(code) : '\ufffd'
		}
		return NAMED_ENTITIES[ref.toLowerCase()] ?? whole
	})
}
