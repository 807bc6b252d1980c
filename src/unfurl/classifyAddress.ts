/**
 * Which IP literals and hostnames the unfurler must never contact (server-side request forgery).
 * Pure: works on the host text of a URL, never on DNS. See checkUnfurlTarget.ts for the caveat.
 */

/** Why a host is refused, for the error message; null when the host may be fetched. */
export type ForbiddenReason = string

type V4Block = readonly [base: number, prefixBits: number, reason: string]

const ipv4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0

/** IANA special-purpose IPv4 blocks (RFC 6890 and successors) that are not the public internet. */
const FORBIDDEN_V4: readonly V4Block[] = [
	[ipv4(0, 0, 0, 0), 8, '"this network" (0.0.0.0/8)'],
	[ipv4(10, 0, 0, 0), 8, 'private (10.0.0.0/8)'],
	[ipv4(100, 64, 0, 0), 10, 'carrier-grade NAT (100.64.0.0/10)'],
	[ipv4(127, 0, 0, 0), 8, 'loopback (127.0.0.0/8)'],
	[ipv4(169, 254, 0, 0), 16, 'link-local / cloud metadata (169.254.0.0/16)'],
	[ipv4(172, 16, 0, 0), 12, 'private (172.16.0.0/12)'],
	[ipv4(192, 0, 0, 0), 24, 'IETF protocol assignments (192.0.0.0/24)'],
	[ipv4(192, 0, 2, 0), 24, 'documentation (192.0.2.0/24)'],
	[ipv4(192, 88, 99, 0), 24, '6to4 relay anycast (192.88.99.0/24)'],
	[ipv4(192, 168, 0, 0), 16, 'private (192.168.0.0/16)'],
	[ipv4(198, 18, 0, 0), 15, 'benchmarking (198.18.0.0/15)'],
	[ipv4(198, 51, 100, 0), 24, 'documentation (198.51.100.0/24)'],
	[ipv4(203, 0, 113, 0), 24, 'documentation (203.0.113.0/24)'],
	[ipv4(224, 0, 0, 0), 4, 'multicast (224.0.0.0/4)'],
	[ipv4(240, 0, 0, 0), 4, 'reserved / broadcast (240.0.0.0/4)'],
]

/** Hostname suffixes that name machines on a local or provider network, never a public site. */
const FORBIDDEN_SUFFIXES = ['localhost', 'internal', 'local', 'localdomain', 'lan', 'arpa'] as const

export function classifyIPv4(address: number): ForbiddenReason | null {
	for (const [base, bits, reason] of FORBIDDEN_V4) {
		const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
		if ((address & mask) >>> 0 === base) return reason
	}
	return null
}

/**
 * An IPv4 address written any way the WHATWG URL parser (and so `fetch`) accepts: 1-4 dot-separated
 * parts, each decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes, one
 * trailing dot allowed (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, `127.0.0.1.`).
 * Returns the address, `null` when the host is not numeric (a domain name), or `'invalid'` when it
 * is numeric but out of range (the URL parser rejects those).
 */
export function parseIPv4(host: string): number | null | 'invalid' {
	const parts = host.split('.')
	if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
	if (parts.length === 0 || parts.length > 4) return null
	const last = parts[parts.length - 1]!
	// WHATWG: a host is an IPv4 address exactly when its last label is a number (`08` is one, and invalid).
	if (!/^(?:[0-9]+|0x[0-9a-f]*)$/i.test(last)) return null
	const numbers: number[] = []
	for (const part of parts) {
		const n = parseIPv4Number(part)
		if (n === null) return 'invalid'
		numbers.push(n)
	}
	const head = numbers.slice(0, -1)
	const tail = numbers[numbers.length - 1]!
	if (head.some((n) => n > 255)) return 'invalid'
	if (tail >= 256 ** (5 - numbers.length)) return 'invalid'
	let address = tail
	head.forEach((n, i) => (address += n * 256 ** (3 - i)))
	return address >>> 0
}

function parseIPv4Number(part: string): number | null {
	if (part === '') return null
	let digits = part
	let radix = 10
	if (/^0x/i.test(part)) {
		digits = part.slice(2)
		radix = 16
		if (digits === '') return 0
	} else if (part.length > 1 && part.startsWith('0')) {
		digits = part.slice(1)
		radix = 8
	}
	const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/
	if (!valid.test(digits)) return null
	const n = parseInt(digits, radix)
	return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER
}

/** The eight 16-bit groups of an IPv6 literal (no brackets, no zone id), or null when it is not one. */
export function parseIPv6(text: string): number[] | null {
	let s = text.toLowerCase()
	// An embedded dotted IPv4 tail (::ffff:127.0.0.1) becomes two groups.
	const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s)
	if (dotted) {
		const octets = dotted[2]!.split('.').map(Number)
		if (octets.some((o) => o > 255)) return null
		const [a, b, c, d] = octets as [number, number, number, number]
		s = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
	}
	const halves = s.split('::')
	if (halves.length > 2) return null
	const parseGroups = (h: string) => (h === '' ? [] : h.split(':'))
	const left = parseGroups(halves[0]!)
	const right = halves.length === 2 ? parseGroups(halves[1]!) : []
	const missing = 8 - left.length - right.length
	if (halves.length === 2 ? missing < 1 : missing !== 0) return null
	const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right]
	if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null
	return groups.map((g) => parseInt(g, 16))
}

const v4FromGroups = (hi: number, lo: number) => ((hi << 16) | lo) >>> 0

export function classifyIPv6(g: readonly number[]): ForbiddenReason | null {
	const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number]
	const first80Zero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0
	// Addresses that carry an IPv4 address reach that address: judge them by it.
	if (first80Zero && g5 === 0xffff) return embedded('IPv4-mapped', v4FromGroups(g6, g7))
	if (first80Zero && g5 === 0) {
		if (g6 === 0 && g7 === 0) return 'unspecified (::)'
		if (g6 === 0 && g7 === 1) return 'loopback (::1)'
		return embedded('IPv4-compatible', v4FromGroups(g6, g7))
	}
	if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return embedded('NAT64', v4FromGroups(g6, g7))
	if (g0 === 0x2002) return embedded('6to4', v4FromGroups(g1, g2))
	if ((g0 & 0xfe00) === 0xfc00) return 'unique local (fc00::/7)'
	if ((g0 & 0xffc0) === 0xfe80) return 'link-local (fe80::/10)'
	if ((g0 & 0xffc0) === 0xfec0) return 'site-local (fec0::/10)'
	if ((g0 & 0xff00) === 0xff00) return 'multicast (ff00::/8)'
	if (g0 === 0x2001 && g1 === 0x0db8) return 'documentation (2001:db8::/32)'
	if (g0 === 0x2001 && g1 < 0x0200) return 'IETF protocol assignments / Teredo (2001::/23)'
	if ((g0 & 0xfff0) === 0x3ff0) return 'documentation (3fff::/20)'
	// Everything else outside global unicast (2000::/3): NAT64 local use, discard-only, reserved.
	if ((g0 & 0xe000) !== 0x2000) return 'not global unicast (outside 2000::/3)'
	return null
}

function embedded(kind: string, address: number): ForbiddenReason | null {
	const inner = classifyIPv4(address)
	return inner ? `${kind} IPv6 of ${inner}` : null
}

/**
 * Why `hostname` (as `URL.hostname` gives it: lowercase, IPv6 in brackets) must not be fetched, or null.
 * Domain names are judged by their spelling only: single-label names and local suffixes are refused.
 */
export function classifyHost(hostname: string): ForbiddenReason | null {
	const host = hostname.toLowerCase()
	if (host.startsWith('[') && host.endsWith(']')) {
		const groups = parseIPv6(host.slice(1, -1))
		return groups ? classifyIPv6(groups) : 'not a valid IPv6 address'
	}
	const v4 = parseIPv4(host)
	if (v4 === 'invalid') return 'not a valid IPv4 address'
	if (v4 !== null) return classifyIPv4(v4)
	const name = host.endsWith('.') ? host.slice(0, -1) : host
	if (name === '' || !name.includes('.')) {
		return name === 'localhost' ? 'loopback (localhost)' : 'a single-label host name (not a public site)'
	}
	const suffix = FORBIDDEN_SUFFIXES.find((s) => name === s || name.endsWith(`.${s}`))
	if (suffix) return `a local host name (*.${suffix})`
	return null
}
