import { describe, expect, it } from 'vitest'
import { decodeEntities, MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, parseHtmlMetadata, toHttpUrl } from '../../src/unfurl/parseHtmlMetadata'

const PAGE = 'https://example.com/blog/post.html'
const parse = (head: string, page = PAGE) => parseHtmlMetadata(`<!doctype html><html><head>${head}</head><body><p>body</p></body></html>`, page)

describe('parseHtmlMetadata: each field and its fallbacks', () => {
	it.each([
		['og:title wins over <title>', '<title>Plain</title><meta property="og:title" content="OG">', 'title', 'OG'],
		['twitter:title when no og:title', '<title>Plain</title><meta name="twitter:title" content="TW">', 'title', 'TW'],
		['<title> as the last resort', '<title>Plain</title>', 'title', 'Plain'],
		['empty og:title falls back', '<meta property="og:title" content="  "><title>Plain</title>', 'title', 'Plain'],
		['title whitespace collapsed', '<title>\n  A   long\n\ttitle  </title>', 'title', 'A long title'],
		['title entities decoded', '<title>Tom &amp; Jerry &#8211; &quot;cats&quot; &#x1F600;</title>', 'title', 'Tom & Jerry – "cats" 😀'],
		['title attributes on the tag', '<title data-x="1">With attrs</title>', 'title', 'With attrs'],
		['no title at all', '<meta charset="utf-8">', 'title', null],
		['og:description wins', '<meta name="description" content="Meta"><meta property="og:description" content="OG desc">', 'description', 'OG desc'],
		['meta description', '<meta name="description" content="Meta desc">', 'description', 'Meta desc'],
		['twitter:description last', '<meta name="twitter:description" content="TW desc">', 'description', 'TW desc'],
		['attribute case and order', '<META CONTENT="Upper" NAME="Description">', 'description', 'Upper'],
		['single-quoted attribute', "<meta name='description' content='It''s quoted'>", 'description', 'It'],
		['unquoted attribute', '<meta name=description content=bare>', 'description', 'bare'],
		['> inside a quoted value', '<meta name="description" content="a > b">', 'description', 'a > b'],
		['self-closing tag', '<meta name="description" content="closed" />', 'description', 'closed'],
		['first occurrence wins', '<meta name="description" content="first"><meta name="description" content="second">', 'description', 'first'],
		['og:image, relative to the page', '<meta property="og:image" content="/img/cover.png">', 'image', 'https://example.com/img/cover.png'],
		['og:image with &amp; in the query', '<meta property="og:image" content="https://cdn.example.com/i?a=1&amp;b=2">', 'image', 'https://cdn.example.com/i?a=1&b=2'],
		['og:image protocol-relative', '<meta property="og:image" content="//cdn.example.com/x.jpg">', 'image', 'https://cdn.example.com/x.jpg'],
		['og:image:secure_url', '<meta property="og:image:secure_url" content="https://cdn.example.com/s.jpg">', 'image', 'https://cdn.example.com/s.jpg'],
		['twitter:image', '<meta name="twitter:image" content="tw.png">', 'image', 'https://example.com/blog/tw.png'],
		['javascript: image dropped', '<meta property="og:image" content="javascript:alert(1)">', 'image', null],
		['data: image dropped', '<meta property="og:image" content="data:image/png;base64,AAAA">', 'image', null],
		['file: image dropped', '<meta property="og:image" content="file:///etc/passwd">', 'image', null],
		['link rel=icon, relative', '<link rel="icon" href="favicon.png">', 'favicon', 'https://example.com/blog/favicon.png'],
		['rel="shortcut icon"', '<link rel="shortcut icon" href="/favicon.ico">', 'favicon', 'https://example.com/favicon.ico'],
		['icon preferred over apple-touch-icon', '<link rel="apple-touch-icon" href="/apple.png"><link rel="icon" href="/icon.svg">', 'favicon', 'https://example.com/icon.svg'],
		['apple-touch-icon as fallback', '<link rel="apple-touch-icon-precomposed" href="/apple.png">', 'favicon', 'https://example.com/apple.png'],
		['mask-icon is not a favicon', '<link rel="mask-icon" href="/mask.svg">', 'favicon', null],
		['stylesheet is not a favicon', '<link rel="stylesheet" href="/style.css">', 'favicon', null],
		['javascript: favicon dropped', '<link rel="icon" href="javascript:alert(1)">', 'favicon', null],
		['<base href> resolves relative URLs', '<base href="https://static.example.net/assets/"><link rel="icon" href="i.png">', 'favicon', 'https://static.example.net/assets/i.png'],
		['relative <base href>', '<base href="/root/"><link rel="icon" href="i.png">', 'favicon', 'https://example.com/root/i.png'],
		['javascript: <base> ignored', '<base href="javascript:alert(1)//"><link rel="icon" href="i.png">', 'favicon', 'https://example.com/blog/i.png'],
	] as const)('%s', (_what, head, field, expected) => {
		expect(parse(head)[field]).toBe(expected)
	})
})

describe('parseHtmlMetadata: text that only looks like tags is ignored', () => {
	it.each([
		['inside a comment', '<!-- <meta property="og:title" content="Commented"> --><title>Real</title>', 'Real'],
		['inside a script', '<script>document.write(\'<meta property="og:title" content="Scripted">\')</script><title>Real</title>', 'Real'],
		['inside a style', '<style>/* <title>Styled</title> */</style><title>Real</title>', 'Real'],
		['an <svg><title> before the page title', '<svg><title>Icon</title></svg><title>Real</title>', 'Real'],
		['inside a template', '<template><meta property="og:title" content="Templated"></template><title>Real</title>', 'Real'],
		['an unclosed script swallows the rest', '<title>Real</title><script>var s = "<meta property=\'og:title\' content=\'Late\'>"', 'Real'],
	])('%s', (_what, head, title) => {
		expect(parse(head).title).toBe(title)
	})
})

describe('parseHtmlMetadata: limits and broken input', () => {
	it('caps a long title and description', () => {
		const meta = parse(`<title>${'t'.repeat(5_000)}</title><meta name="description" content="${'d'.repeat(5_000)}">`)
		expect(Array.from(meta.title!).length).toBe(MAX_TITLE_CHARS)
		expect(meta.title!.endsWith('…')).toBe(true)
		expect(Array.from(meta.description!).length).toBe(MAX_DESCRIPTION_CHARS)
	})

	it('strips tags and control characters from text', () => {
		expect(parse('<title>a<b>bold</b>\u0000\u0007z</title>').title).toBe('a bold z')
	})

	it('drops an over-long URL', () => {
		expect(parse(`<meta property="og:image" content="/${'x'.repeat(3_000)}">`).image).toBeNull()
	})

	it('reads what it can from a page cut off mid-tag (the byte cap)', () => {
		const html = '<html><head><meta property="og:title" content="Cut"><title>Also</title><meta name="description" content="never clo'
		expect(parseHtmlMetadata(html, PAGE)).toEqual({ title: 'Cut', description: null, image: null, favicon: null })
	})

	it('gives all nulls for a page with no head tags', () => {
		expect(parseHtmlMetadata('just text, no markup', PAGE)).toEqual({ title: null, description: null, image: null, favicon: null })
	})

	it('a full, realistic head', () => {
		const html = `<!DOCTYPE html>
<html lang="en"><head>
  <meta charset="utf-8">
  <title>tldraw — the infinite canvas</title>
  <meta name="description" content="A very good whiteboard">
  <meta property="og:title" content="tldraw">
  <meta property="og:image" content="https://tldraw.com/social.png">
  <link rel="icon" type="image/png" sizes="32x32" href="/favicon-32x32.png">
</head><body></body></html>`
		expect(parseHtmlMetadata(html, 'https://www.tldraw.com/')).toEqual({
			title: 'tldraw',
			description: 'A very good whiteboard',
			image: 'https://tldraw.com/social.png',
			favicon: 'https://www.tldraw.com/favicon-32x32.png',
		})
	})
})

describe('helpers', () => {
	it.each([
		['&amp;&lt;&gt;&quot;&#39;&apos;', '&<>"\'\''],
		['&nbsp;', '\u00a0'],
		['&#0; &#xD800; &#1114112;', '\ufffd \ufffd \ufffd'],
		['&unknown; & &amp', '&unknown; & &'],
		['&MDASH;', '—'],
	])('decodeEntities(%s)', (input, expected) => {
		expect(decodeEntities(input)).toBe(expected)
	})

	it.each([
		['/a', 'https://example.com/a'],
		['  https://x.example/  ', 'https://x.example/'],
		['mailto:a@example.com', null],
		['http://[bad', null],
		['vbscript:x', null],
	])('toHttpUrl(%s)', (value, expected) => {
		expect(toHttpUrl(value, PAGE)).toBe(expected)
	})
})
