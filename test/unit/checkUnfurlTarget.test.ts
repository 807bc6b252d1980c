import { describe, expect, it } from 'vitest'
import { classifyHost, parseIPv4, parseIPv6 } from '../../src/unfurl/classifyAddress'
import { checkUnfurlTarget } from '../../src/unfurl/checkUnfurlTarget'
import { ABUSIVE_TARGETS } from '../fakes/abusiveUnfurlTargets'

type Expected = 'ok' | 'INVALID_URL' | 'FORBIDDEN_TARGET'
const outcome = (raw: string | null): Expected => {
	const check = checkUnfurlTarget(raw)
	return check.ok ? 'ok' : check.code
}

describe('checkUnfurlTarget refuses', () => {
	it.each(ABUSIVE_TARGETS)('%s: %s → %s', (_what, url, expected) => {
		expect(outcome(url)).toBe(expected)
	})

	it.each([
		['missing', null],
		['empty', ''],
		['blank', '   '],
	])('a %s url parameter', (_what, raw) => {
		expect(outcome(raw)).toBe('INVALID_URL')
	})
})

describe('checkUnfurlTarget allows public targets', () => {
	it.each([
		['https site', 'https://www.tldraw.com/'],
		['http with path and query', 'http://example.com/a/b?c=d#e'],
		['non-default port', 'https://example.com:8443/'],
		['public IPv4', 'http://8.8.8.8/'],
		['just above 172.16/12', 'http://172.32.0.1/'],
		['just below 172.16/12', 'http://172.15.255.255/'],
		['just above CGNAT', 'http://100.128.0.1/'],
		['just below CGNAT', 'http://100.63.255.255/'],
		['next to 192.168/16', 'http://192.169.0.1/'],
		['next to 169.254/16', 'http://169.255.0.1/'],
		['public IPv6', 'http://[2606:4700:4700::1111]/'],
		['IPv4-mapped public address', 'http://[::ffff:8.8.8.8]/'],
		['IDN host', 'https://bücher.example/'],
		['a name merely containing "localhost"', 'https://localhost.example.com/'],
	])('%s: %s', (_what, url) => {
		const check = checkUnfurlTarget(url)
		expect(check.ok).toBe(true)
		if (check.ok) expect(check.url.href).toBe(new URL(url).href)
	})

	it('hands back the normalised URL that was checked (the one to fetch)', () => {
		const check = checkUnfurlTarget('HTTPS://Example.COM:443/a/../b')
		expect(check.ok && check.url.href).toBe('https://example.com/b')
	})
})

// The URL parser normalises hosts before classifyHost sees them; these rows check classifyHost on raw
// spellings too, so it stays safe if it is ever called on unparsed text.
describe('classifyHost on raw host text', () => {
	it.each([
		['2130706433', true],
		['0x7f.1', true],
		['0177.0.0.1', true],
		['127.1', true],
		['0x7f000001', true],
		['127.0.0.1.', true],
		['1.2.3.08', true], // numeric but invalid octal: never a domain
		['[::ffff:127.0.0.1]', true],
		['[::ffff:7f00:1]', true],
		['[fe80::1]', true],
		['[::1]', true],
		['[not-ipv6]', true],
		['localhost', true],
		['a.b.localhost.', true],
		['8.8.8.8', false],
		['example.com', false],
		['1.2.3.com', false],
	])('%s forbidden: %s', (host, forbidden) => {
		expect(classifyHost(host) !== null).toBe(forbidden)
	})

	it.each([
		['2130706433', 0x7f000001],
		['0x7f.1', 0x7f000001],
		['0177.0.0.1', 0x7f000001],
		['127.1', 0x7f000001],
		['10.1.65535', 0x0a01ffff],
		['0x', 0],
		['256.1.1.1', 'invalid'],
		['1.16777216', 'invalid'],
		['08', 'invalid'],
		['example.com', null],
		['1.2.3.4.5', null],
	] as const)('parseIPv4(%s) = %s', (host, expected) => {
		expect(parseIPv4(host)).toBe(expected)
	})

	it.each([
		['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
		['::ffff:127.0.0.1', [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
		['2001:db8::8:800:200c:417a', [0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]],
		['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
		['1::2::3', null],
		['1:2:3:4:5:6:7:8:9', null],
		['::ffff:300.0.0.1', null],
		['g::1', null],
	] as const)('parseIPv6(%s)', (text, expected) => {
		expect(parseIPv6(text)).toEqual(expected)
	})
})
