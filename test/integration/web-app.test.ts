/**
 * The web app's server side, against the real worker: its static files and pages come from the Workers
 * static assets in wrangler.toml, and the dev sign-in route exists only when enabled and only on localhost.
 * (What a person does with the app is in test/browser/.)
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import path from 'node:path'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireDatabaseUrl } from '../helpers/auth'
import { ROOT, startHarness } from '../helpers/worker'

const HTML = 'text/html,application/xhtml+xml,*/*;q=0.8'
const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })
const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()

let plain: Awaited<ReturnType<typeof startHarness>>
let dev: Awaited<ReturnType<typeof startHarness>>

beforeAll(async () => {
	// A developer's .dev.vars (written by ./dev.sh) turns dev sign-in on for every local wrangler, the test
	// harness included; `false` here stands for a deployment that has no such file.
	plain = await startHarness({ CLERK_JWT_KEY: publicPem, DEV_SIGN_IN: 'false' })
	dev = await startHarness({ CLERK_JWT_KEY: publicPem, DEV_SIGN_IN: 'true', DEV_SIGN_IN_KEY: privatePem, DATABASE_URL: requireDatabaseUrl() })
})
afterAll(async () => {
	await plain?.server.close()
	await dev?.server.close()
})

/** node:http, because fetch() may not set Host: the Worker sees whatever host the browser asked for. */
function requestWithHost(url: string, host: string, method: string, body?: string): Promise<{ status: number; json: any }> {
	return new Promise((resolve, reject) => {
		const req = request(url, { method, headers: { Host: host, 'Content-Type': 'application/json' } }, (res) => {
			let text = ''
			res.on('data', (d) => (text += d))
			res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }))
		})
		req.on('error', reject)
		req.end(body)
	})
}

describe('the web app is served by the Worker (static assets)', () => {
	it('serves index.html at / and for app pages a browser opens, with its scripts', async () => {
		const home = await fetch(`${plain.url}/`, { headers: { Accept: HTML } })
		expect(home.status).toBe(200)
		const html = await home.text()
		expect(html).toContain('<div id="root">')
		const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
		expect(script).toBeTruthy()
		const js = await fetch(`${plain.url}${script}`)
		expect(js.status).toBe(200)
		expect(js.headers.get('content-type')).toMatch(/javascript/)

		for (const page of ['/r/some-room', `/ro/${'a'.repeat(64)}`, '/f/some-file', '/p/some-slug', '/files', '/sign-in']) {
			const res = await fetch(`${plain.url}${page}`, { headers: { Accept: HTML } })
			expect(res.status, page).toBe(200)
			expect(await res.text(), page).toBe(html)
		}
	})

	it('keeps routes for everything that is not a browser page load', async () => {
		// The room path without a socket upgrade, as fetch() or curl sends it, is still the route.
		const room = await fetch(`${plain.url}/r/some-room`)
		expect(room.status).toBe(426)
		expect(await room.json()).toMatchObject({ code: 'UPGRADE_REQUIRED' })
		const unknown = await fetch(`${plain.url}/nope`, { headers: { Accept: HTML } })
		expect(unknown.status).toBe(404)
		expect(await unknown.json()).toMatchObject({ code: 'NOT_FOUND' })
		expect((await fetch(`${plain.url}/health`, { headers: { Accept: HTML } })).status).toBe(200)
		const slug = await fetch(`${plain.url}/r/some-room/readonly-slug`, { headers: { Accept: HTML } })
		expect(await slug.json()).toMatchObject({ slug: expect.stringMatching(/^[0-9a-f]{64}$/) })
	})
})

describe('dev sign-in', () => {
	it('is absent unless .dev.vars enables it (and wrangler.toml never does)', async () => {
		expect(readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8')).not.toMatch(/DEV_SIGN_IN/)
		for (const method of ['GET', 'POST']) {
			const res = await fetch(`${plain.url}/app/dev/sign-in`, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'POST' ? '{"name":"alice"}' : undefined })
			expect(res.status, method).toBe(404)
			expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' })
		}
		// Absent on every host, not only refused.
		expect((await requestWithHost(`${plain.url}/app/dev/sign-in`, 'sync.example.com', 'GET')).status).toBe(404)
	})

	it('signs in a user name on localhost with a token the Worker accepts', async () => {
		expect(await (await fetch(`${dev.url}/app/dev/sign-in`)).json()).toEqual({ enabled: true })
		const res = await fetch(`${dev.url}/app/dev/sign-in`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'http://localhost:8787' }, body: JSON.stringify({ name: 'Dev Alice' }) })
		expect(res.status).toBe(200)
		const body = (await res.json()) as { token: string; userId: string; name: string }
		expect(body).toMatchObject({ userId: 'dev-alice', name: 'Dev Alice' })
		expect(decodeJwt(body.token)).toMatchObject({ sub: 'dev-alice', azp: 'http://localhost:8787' })
		// The token works where a Clerk token would.
		const files = await fetch(`${dev.url}/app/files`, { headers: { Authorization: `Bearer ${body.token}` } })
		expect(files.status).toBe(200)
		expect(await files.json()).toEqual({ files: [] })
	})

	it('is refused on any host but localhost, and for pages of other sites', async () => {
		for (const host of ['sync.example.com', '192.168.1.20:8787', 'localhost.example.com']) {
			const res = await requestWithHost(`${dev.url}/app/dev/sign-in`, host, 'POST', '{"name":"mallory"}')
			expect(res.status, host).toBe(403)
			expect(res.json).toMatchObject({ code: 'FORBIDDEN' })
		}
		const foreign = await fetch(`${dev.url}/app/dev/sign-in`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: '{"name":"mallory"}' })
		expect(foreign.status).toBe(403)
	})

	it('answers bad input with 400 JSON', async () => {
		for (const body of ['{}', '{"name":""}', '{"name":"***"}', '{"name":"a","admin":true}', 'not json']) {
			const res = await fetch(`${dev.url}/app/dev/sign-in`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
			expect(res.status, body).toBe(400)
			expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST' })
		}
	})
})
