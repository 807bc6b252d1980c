import { describe, expect, it } from 'vitest'
import { errorResponse } from '../../src/http/errors'
import { checkUnfurlTarget } from '../../src/unfurl/checkUnfurlTarget'
import { handleUnfurl, UNFURL_CACHE_CONTROL } from '../../src/unfurl/unfurlApi'
import { decodeHtml, MAX_UNFURL_REDIRECTS, unfurlUrl, type UnfurlResult } from '../../src/unfurl/unfurlUrl'
import { fakeAuth } from '../fakes/fakeAuth'
import { endlessHtml, FakeWeb, stallingHtml } from '../fakes/FakeWeb'

const HTML = '<html><head><title>Hello</title><meta property="og:image" content="/cover.png"><link rel="icon" href="/favicon.ico"></head></html>'

function run(web: FakeWeb, url: string, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<UnfurlResult> {
	const check = checkUnfurlTarget(url)
	if (!check.ok) throw new Error(`test URL refused: ${check.message}`)
	return unfurlUrl(check.url, { fetch: web.fetch, ...opts })
}

describe('unfurlUrl: a page', () => {
	it('reads metadata and resolves URLs against the page', async () => {
		const web = new FakeWeb().page('https://example.com/post', HTML)
		expect(await run(web, 'https://example.com/post')).toEqual({
			ok: true,
			finalUrl: 'https://example.com/post',
			metadata: { title: 'Hello', description: null, image: 'https://example.com/cover.png', favicon: 'https://example.com/favicon.ico' },
		})
	})

	it('sends its own headers with redirect: manual, never the caller’s', async () => {
		const web = new FakeWeb().page('https://example.com/', HTML)
		await run(web, 'https://example.com/')
		const init = web.requests[0]!.init
		expect(init.redirect).toBe('manual')
		expect(init.signal).toBeInstanceOf(AbortSignal)
		expect(Object.keys(init.headers as Record<string, string>).sort()).toEqual(['Accept', 'User-Agent'])
	})

	it('fetches the normalised URL that was checked', async () => {
		const web = new FakeWeb().page('https://example.com/b', HTML)
		await run(web, 'HTTPS://EXAMPLE.com:443/a/../b')
		expect(web.urls()).toEqual(['https://example.com/b'])
	})

	it.each([
		['an image: itself as the image', 'image/png', { title: null, description: null, image: 'https://example.com/pic', favicon: null }],
		['a PDF: nothing', 'application/pdf', { title: null, description: null, image: null, favicon: null }],
		['JSON: nothing', 'application/json', { title: null, description: null, image: null, favicon: null }],
	])('a non-HTML response, %s', async (_what, contentType, metadata) => {
		const web = new FakeWeb().route('https://example.com/pic', () => new Response('<title>not html</title>', { headers: { 'Content-Type': contentType } }))
		expect(await run(web, 'https://example.com/pic')).toMatchObject({ ok: true, metadata })
	})

	it('treats a response without Content-Type as HTML', async () => {
		const web = new FakeWeb().route('https://example.com/', () => new Response(new TextEncoder().encode('<title>Untyped</title>')))
		expect(await run(web, 'https://example.com/')).toMatchObject({ ok: true, metadata: { title: 'Untyped' } })
	})

	it('decodes the charset from the header or a <meta charset>', () => {
		const latin1 = new Uint8Array([...new TextEncoder().encode('<title>caf'), 0xe9, ...new TextEncoder().encode('</title>')])
		expect(decodeHtml(latin1, 'text/html; charset=iso-8859-1')).toContain('café')
		const withMeta = new Uint8Array([...new TextEncoder().encode('<meta charset="windows-1252"><title>caf'), 0xe9])
		expect(decodeHtml(withMeta, 'text/html')).toContain('café')
		expect(decodeHtml(new TextEncoder().encode('<title>café</title>'), 'text/html; charset=bogus-charset')).toContain('café')
	})
})

describe('unfurlUrl: redirects', () => {
	it('follows up to the limit, resolving relative Locations', async () => {
		const web = new FakeWeb()
			.redirect('http://example.com/', 'https://example.com/', 301)
			.redirect('https://example.com/', '/home', 302)
			.redirect('https://example.com/home', 'https://www.example.com/home', 307)
			.page('https://www.example.com/home', HTML)
		const result = await run(web, 'http://example.com/')
		expect(result).toMatchObject({ ok: true, finalUrl: 'https://www.example.com/home', metadata: { favicon: 'https://www.example.com/favicon.ico' } })
		expect(web.urls()).toHaveLength(MAX_UNFURL_REDIRECTS + 1)
	})

	it(`refuses redirect number ${MAX_UNFURL_REDIRECTS + 1}`, async () => {
		const web = new FakeWeb()
		for (let i = 0; i <= MAX_UNFURL_REDIRECTS; i++) web.redirect(`https://example.com/${i}`, `/${i + 1}`)
		web.page(`https://example.com/${MAX_UNFURL_REDIRECTS + 1}`, HTML)
		expect(await run(web, 'https://example.com/0')).toMatchObject({ ok: false, code: 'UPSTREAM_ERROR', message: `more than ${MAX_UNFURL_REDIRECTS} redirects` })
		expect(web.urls()).toHaveLength(MAX_UNFURL_REDIRECTS + 1)
	})

	it('stops a redirect loop', async () => {
		const web = new FakeWeb().redirect('https://example.com/a', '/b').redirect('https://example.com/b', '/a')
		expect(await run(web, 'https://example.com/a')).toMatchObject({ ok: false, code: 'UPSTREAM_ERROR' })
	})

	// A public page must not bounce the server into a private network: each Location is checked again.
	it.each([
		['loopback', 'http://127.0.0.1:8787/health'],
		['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
		['metadata as decimal', 'http://2852039166/'],
		['loopback as hex', 'http://0x7f.1/'],
		['private network', 'http://10.0.0.5/admin'],
		['localhost', 'http://localhost/'],
		['*.internal', 'http://metadata.google.internal/'],
		['IPv6 loopback', 'http://[::1]/'],
		['IPv4-mapped IPv6', 'http://[::ffff:192.168.0.1]/'],
		['userinfo trick', 'http://example.com@127.0.0.1/'],
		['file scheme', 'file:///etc/passwd'],
		['javascript scheme', 'javascript:alert(1)'],
	])('refuses a redirect to %s, without fetching it', async (_what, location) => {
		const web = new FakeWeb().redirect('https://example.com/', location)
		const result = await run(web, 'https://example.com/')
		expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN_TARGET' })
		expect(web.urls()).toEqual(['https://example.com/'])
	})

	it('refuses a private target on a later hop', async () => {
		const web = new FakeWeb().redirect('https://a.example/', 'https://b.example/').redirect('https://b.example/', 'http://192.168.1.1/')
		expect(await run(web, 'https://a.example/')).toMatchObject({ ok: false, code: 'FORBIDDEN_TARGET' })
		expect(web.urls()).toEqual(['https://a.example/', 'https://b.example/'])
	})

	it.each([
		['no Location', () => new Response(null, { status: 302 })],
		['an unparsable Location', () => new Response(null, { status: 301, headers: { Location: 'http://[bad' } })],
	])('a redirect with %s is a bad upstream', async (_what, respond) => {
		const web = new FakeWeb().route('https://example.com/', respond)
		expect(await run(web, 'https://example.com/')).toMatchObject({ ok: false, code: 'UPSTREAM_ERROR' })
	})
})

describe('unfurlUrl: failures and limits', () => {
	it.each([
		[404, 'UPSTREAM_ERROR'],
		[500, 'UPSTREAM_ERROR'],
		[304, 'UPSTREAM_ERROR'],
	])('an upstream %s is %s', async (status, code) => {
		const web = new FakeWeb().route('https://example.com/', () => new Response(null, { status }))
		expect(await run(web, 'https://example.com/')).toMatchObject({ ok: false, code })
	})

	it('an unreachable host is UPSTREAM_ERROR', async () => {
		expect(await run(new FakeWeb(), 'https://nowhere.example/')).toMatchObject({ ok: false, code: 'UPSTREAM_ERROR' })
	})

	it('a server that never answers is UPSTREAM_TIMEOUT, within the deadline', async () => {
		const web = new FakeWeb().route('https://slow.example/', 'hang')
		const started = Date.now()
		expect(await run(web, 'https://slow.example/', { timeoutMs: 100 })).toMatchObject({ ok: false, code: 'UPSTREAM_TIMEOUT' })
		expect(Date.now() - started).toBeLessThan(2_000)
	})

	it('a body that stalls is UPSTREAM_TIMEOUT (the deadline covers the body too)', async () => {
		const web = new FakeWeb().route('https://slow.example/', () => new Response(stallingHtml('<title>Part'), { headers: { 'Content-Type': 'text/html' } }))
		expect(await run(web, 'https://slow.example/', { timeoutMs: 100 })).toMatchObject({ ok: false, code: 'UPSTREAM_TIMEOUT' })
	})

	it('a fetch that ignores the abort signal still times out', async () => {
		const web = new FakeWeb()
		const neverAborts = () => new Promise<Response>(() => {})
		expect(await unfurlUrl(new URL('https://example.com/'), { fetch: neverAborts, timeoutMs: 50 })).toMatchObject({ ok: false, code: 'UPSTREAM_TIMEOUT' })
		expect(web.requests).toHaveLength(0)
	})

	it('reads at most maxBytes of an endless page and parses what it got', async () => {
		const { stream, stats } = endlessHtml({ prefix: '<html><head><title>Endless</title></head><body>' })
		const web = new FakeWeb().route('https://big.example/', () => new Response(stream, { headers: { 'Content-Type': 'text/html' } }))
		const maxBytes = 64 * 1024
		expect(await run(web, 'https://big.example/', { maxBytes })).toMatchObject({ ok: true, metadata: { title: 'Endless' } })
		expect(stats.pulledBytes).toBeLessThan(maxBytes + 64 * 1024)
		expect(stats.cancelled).toBe(true)
	})
})

describe('handleUnfurl', () => {
	const request = (url: string | null) => new Request(`https://sync.example/unfurl${url === null ? '' : `?url=${encodeURIComponent(url)}`}`)
	const statusOf = async (p: Promise<Response>) => {
		try {
			const res = await p
			return { status: res.status, body: await res.json() }
		} catch (err) {
			const res = errorResponse(err)
			return { status: res.status, body: await res.json() }
		}
	}

	it('answers the metadata, privately cacheable', async () => {
		const web = new FakeWeb().page('https://example.com/', HTML)
		const res = await handleUnfurl(request('https://example.com/'), { auth: fakeAuth('alice'), fetch: web.fetch })
		expect(res.status).toBe(200)
		expect(res.headers.get('Cache-Control')).toBe(UNFURL_CACHE_CONTROL)
		expect(await res.json()).toEqual({ title: 'Hello', description: null, image: 'https://example.com/cover.png', favicon: 'https://example.com/favicon.ico' })
	})

	it.each([
		['signed out', null, 'https://example.com/', 401, 'NOT_AUTHENTICATED'],
		['no url', fakeAuth('alice'), null, 400, 'INVALID_URL'],
		['ftp url', fakeAuth('alice'), 'ftp://example.com/', 400, 'INVALID_URL'],
		['loopback url', fakeAuth('alice'), 'http://127.0.0.1/', 403, 'FORBIDDEN_TARGET'],
		['redirect to metadata', fakeAuth('alice'), 'https://example.com/to-metadata', 403, 'FORBIDDEN_TARGET'],
		['upstream 500', fakeAuth('alice'), 'https://example.com/broken', 502, 'UPSTREAM_ERROR'],
		['upstream hangs', fakeAuth('alice'), 'https://example.com/hang', 504, 'UPSTREAM_TIMEOUT'],
	] as const)('%s → %i %s', async (_what, auth, url, status, code) => {
		const web = new FakeWeb()
			.redirect('https://example.com/to-metadata', 'http://169.254.169.254/')
			.route('https://example.com/broken', () => new Response('oops', { status: 500 }))
			.route('https://example.com/hang', 'hang')
		expect(await statusOf(handleUnfurl(request(url), { auth, fetch: web.fetch, timeoutMs: 100 }))).toMatchObject({ status, body: { code } })
		if (status < 500 && url !== 'https://example.com/to-metadata') expect(web.requests).toHaveLength(0)
	})
})
