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

/**
 * Bookmark metadata from a (possibly truncated) HTML page. `pageUrl` is the URL the page was finally
 * served from, for resolving relative links (a `<base href>` overrides it).
 *
 * Regex-based on purpose: it only has to find a few head tags, must run the same in Node and workerd
 * (HTMLRewriter is workerd-only), and never executes or fetches anything. Comments and the bodies of
 * script/style/template/svg/textarea are removed first, so text inside them cannot pose as a tag.
 * Preference: og:* over twitter:* over plain HTML (`<title>`, `<meta name=description>`).
 */
export function parseHtmlMetadata(html: string, pageUrl: string): UnfurlMetadata {
	const doc = html
		.replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
		.replace(/<(script|style|template|svg|textarea)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')

	const meta = new Map<string, string>()
	const icons: Array<{ rel: string[]; href: string }> = []
	let base: string | null = null
	for (const tag of doc.matchAll(/<(meta|link|base)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi)) {
		const name = tag[1]!.toLowerCase()
		const attrs = parseAttributes(tag[2] ?? '')
		if (name === 'meta') {
			const key = (attrs.get('property') ?? attrs.get('name') ?? attrs.get('itemprop'))?.trim().toLowerCase()
			const content = attrs.get('content')
			if (key && content !== undefined && !meta.has(key)) meta.set(key, content)
		} else if (name === 'link') {
			const href = attrs.get('href')
			const rel = (attrs.get('rel') ?? '').toLowerCase().split(/\s+/).filter(Boolean)
			if (href) icons.push({ rel, href })
		} else if (base === null && attrs.get('href')) {
			base = toHttpUrl(attrs.get('href')!, pageUrl)
		}
	}
	const baseUrl = base ?? pageUrl
	const first = (...keys: string[]) => keys.map((k) => meta.get(k)).find((v) => v !== undefined && v.trim() !== '')
	const titleTag = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(doc)?.[1]

	const icon = icons.find((l) => l.rel.includes('icon')) ?? icons.find((l) => l.rel.some((r) => r.startsWith('apple-touch-icon')))
	const image = first('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src')
	return {
		title: cleanText(first('og:title', 'twitter:title') ?? titleTag, MAX_TITLE_CHARS),
		description: cleanText(first('og:description', 'description', 'twitter:description'), MAX_DESCRIPTION_CHARS),
		image: image === undefined ? null : toHttpUrl(image, baseUrl),
		favicon: icon ? toHttpUrl(icon.href, baseUrl) : null,
	}
}

/** Attribute name → decoded value; the first occurrence of a name wins, as in browsers. */
export function parseAttributes(source: string): Map<string, string> {
	const attrs = new Map<string, string>()
	for (const m of source.matchAll(/([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
		const name = m[1]!.toLowerCase()
		if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''))
	}
	return attrs
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
	const text = decodeEntities(value.replace(/<[^>]*>/g, ' '))
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
	return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});?/g, (whole, ref: string) => {
		if (ref.startsWith('#')) {
			const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
			const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
			return valid ? String.fromCodePoint(code) : '\ufffd'
		}
		return NAMED_ENTITIES[ref.toLowerCase()] ?? whole
	})
}
