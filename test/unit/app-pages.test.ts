import { describe, expect, it } from 'vitest'
import { parseRoute } from '../../client/src/routes'
import { isAppPageRequest } from '../../src/app/appPages'

const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const req = (method: string, path: string, headers: Record<string, string> = {}) => ({ method, url: `http://localhost:8787${path}`, headers: new Headers(headers) })

describe('isAppPageRequest: which requests get the web app instead of a route', () => {
	it.each([
		['a browser opening a room link', 'GET', '/r/abc', { Accept: html }, true],
		['a browser opening a read-only link', 'GET', `/ro/${'a'.repeat(64)}`, { Accept: html }, true],
		['a browser opening a file', 'GET', '/f/file_1', { Accept: html }, true],
		['a browser opening a published page', 'GET', '/p/slug-1', { Accept: html }, true],
		['the file list', 'GET', '/files', { Accept: html }, true],
		['the sign-in page', 'HEAD', '/sign-in', { Accept: html }, true],
		['the room socket (useSync)', 'GET', '/r/abc', { Accept: html, Upgrade: 'websocket' }, false],
		['fetch/curl on a room path', 'GET', '/r/abc', { Accept: '*/*' }, false],
		['no Accept header', 'GET', '/f/file_1', {}, false],
		['a POST', 'POST', '/r/abc', { Accept: html }, false],
		['an API route', 'GET', '/app/files', { Accept: html }, false],
		['the read-only slug route', 'GET', '/r/abc/readonly-slug', { Accept: html }, false],
		['an unknown path', 'GET', '/nope', { Accept: html }, false],
		['an id the rooms refuse', 'GET', '/r/a.b', { Accept: html }, false],
		['an /api-prefixed room path', 'GET', '/api/r/abc', { Accept: html }, false],
	])('%s → %s', (_name, method, path, headers, expected) => {
		expect(isAppPageRequest(req(method, path, headers))).toBe(expected)
	})
})

describe('parseRoute: the app pages (same list as the Worker serves)', () => {
	it.each([
		['/', { page: 'start' }],
		['/files', { page: 'files' }],
		['/files/', { page: 'files' }],
		['/sign-in', { page: 'sign-in' }],
		['/r/room_1', { page: 'room', roomId: 'room_1' }],
		['/ro/abc123', { page: 'readonly', slug: 'abc123' }],
		['/f/file-9', { page: 'file', fileId: 'file-9' }],
		['/p/slug', { page: 'published', slug: 'slug' }],
		['/r/a.b', { page: 'not-found', path: '/r/a.b' }],
		['/x', { page: 'not-found', path: '/x' }],
	])('%s', (path, route) => {
		expect(parseRoute(path)).toEqual(route)
	})

	it('every page parseRoute knows is one the Worker serves, and the reverse', () => {
		const samples = ['/files', '/sign-in', '/r/a', '/ro/b', '/f/c', '/p/d', '/q/e', '/app/files', '/r/a/readonly-slug']
		for (const path of samples) {
			const isPage = parseRoute(path).page !== 'not-found'
			expect(isAppPageRequest(req('GET', path, { Accept: html })), path).toBe(isPage)
		}
	})
})
