/** The pure parts of the request steps (src/routes/routeSteps.ts): rate-limit keys and path parameter decoding. */
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../src/http/errors'
import { decodePathParams } from '../../src/http/pathParams'
import { clientAddress, rateLimitKey, UNKNOWN_ADDRESS_KEY } from '../../src/http/rateLimit'

describe('rateLimitKey', () => {
	const headers = (h: Record<string, string>) => new Headers(h)
	it.each([
		['a signed-in caller, by user id', 'u1', { 'cf-connecting-ip': '1.2.3.4' }, 'cf-connecting-ip', 'user:u1'],
		['a signed-in caller with no address at all', 'u1', {}, 'x-real-ip', 'user:u1'],
		['anonymous, by the trusted header', null, { 'cf-connecting-ip': '1.2.3.4' }, 'cf-connecting-ip', 'ip:1.2.3.4'],
		['anonymous, a spoofed cf-connecting-ip ignored when another header is trusted', null, { 'cf-connecting-ip': '9.9.9.9', 'x-real-ip': '1.2.3.4' }, 'x-real-ip', 'ip:1.2.3.4'],
		['anonymous with no address: the shared key, never unlimited', null, {}, 'cf-connecting-ip', UNKNOWN_ADDRESS_KEY],
		['anonymous with garbage in the header', null, { 'x-real-ip': 'hello' }, 'x-real-ip', UNKNOWN_ADDRESS_KEY],
		['X-Forwarded-For: the entry the proxy appended (last)', null, { 'x-forwarded-for': '6.6.6.6, 10.0.0.1, 1.2.3.4' }, 'x-forwarded-for', 'ip:1.2.3.4'],
		['IPv6 counts per /64', null, { 'cf-connecting-ip': '2001:db8:1:2:aaaa::1' }, 'cf-connecting-ip', 'ip:2001:db8:1:2::/64'],
	])('%s', (_what, userId, h, clientIpHeader, expected) => {
		expect(rateLimitKey({ userId, headers: headers(h), clientIpHeader })).toBe(expected)
	})
})

describe('clientAddress', () => {
	it.each([
		['1.2.3.4', '1.2.3.4'],
		[' 1.2.3.4 ', '1.2.3.4'],
		['256.1.1.1', null],
		['1.2.3', null],
		['::1', '0:0:0:0::/64'],
		['2001:db8::1', '2001:db8:0:0::/64'],
		['2001:DB8:0:0:1:2:3:4', '2001:db8:0:0::/64'],
		['2001:db8:0:0:ffff:2:3:4', '2001:db8:0:0::/64'],
		['[2001:db8::1]', '2001:db8:0:0::/64'],
		['::ffff:1.2.3.4', '1.2.3.4'],
		['2001:db8::1::2', null],
		['1:2:3:4:5:6:7:8:9', null],
		['12345::1', null],
		['', null],
		['unknown', null],
		[null, null],
	])('%s → %s', (value, expected) => {
		expect(clientAddress(value)).toBe(expected)
	})
})

describe('decodePathParams', () => {
	it.each([
		['an encoded history version', { version: '2026-11-30T07%3A55%3A42.203Z' }, { version: '2026-11-30T07:55:42.203Z' }],
		['plain values unchanged', { fileId: 'abc_123' }, { fileId: 'abc_123' }],
		['decoded once only', { version: '2026-11-30T07%253A55' }, { version: '2026-11-30T07%3A55' }],
		['an encoded slash stays a value (validation refuses it)', { fileId: 'a%2Fb' }, { fileId: 'a/b' }],
		['unicode', { name: '%C3%A9' }, { name: 'é' }],
	])('%s', (_what, params, expected) => {
		expect(decodePathParams(params)).toEqual(expected)
	})

	it.each([['%'], ['%E0%A4%A'], ['%zz']])('400 for malformed escapes: %s', (raw) => {
		let err: unknown
		try {
			decodePathParams({ fileId: raw })
		} catch (e) {
			err = e
		}
		expect(err).toBeInstanceOf(ApiError)
		expect(err).toMatchObject({ status: 400, code: 'BAD_REQUEST' })
	})
})
