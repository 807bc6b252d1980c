import { ApiError, ErrorCode } from './errors'

/**
 * The key a caller's requests are counted under: signed-in callers by user id, always (whatever address
 * they come from); anonymous ones by the client address the deployment trusts, read from one header
 * (`CLIENT_IP_HEADER`: `cf-connecting-ip` on Cloudflare, whose edge overwrites it; behind your own proxy,
 * the header that proxy sets). IPv6 addresses count per /64, the smallest block a client usually holds.
 * Without a usable address every such caller shares one key: limited together, never unlimited.
 */
export function rateLimitKey(caller: { userId: string | null; headers: Headers; clientIpHeader: string }): string {
	if (caller.userId) return `user:${caller.userId}`
	const address = clientAddress(caller.headers.get(caller.clientIpHeader))
	return address === null ? UNKNOWN_ADDRESS_KEY : `ip:${address}`
}

/** Anonymous callers whose address is unknown share this key. */
export const UNKNOWN_ADDRESS_KEY = 'ip:unknown'

const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/

/**
 * The client address in a trusted header's value, normalised: the last entry of a list (a proxy appends the
 * address it saw to X-Forwarded-For, so the last one is the one it vouches for), IPv4 as written, IPv6 cut
 * to its /64. null for anything that is not an address.
 */
export function clientAddress(value: string | null): string | null {
	if (value === null) return null
	const last = value.split(',').pop()!.trim()
	if (IPV4_RE.test(last)) return last
	const v6 = ipv6Groups(last.replace(/^\[|\]$/g, ''))
	if (v6 === null) return null
	const mapped = v6.slice(0, 6).join(',') === '0,0,0,0,0,65535' ? `${v6[6]! >> 8}.${v6[6]! & 255}.${v6[7]! >> 8}.${v6[7]! & 255}` : null
	return mapped ?? `${v6.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail), or null. */
function ipv6Groups(text: string): number[] | null {
	if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return null
	let body = text
	const tail: number[] = []
	const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body)
	if (v4) {
		if (!IPV4_RE.test(v4[1]!)) return null
		const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number]
		tail.push((a << 8) | b, (c << 8) | d)
		body = body.slice(0, -v4[1]!.length)
		if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1)
	}
	const halves = body.split('::')
	if (halves.length > 2) return null
	const parse = (s: string) => (s === '' ? [] : s.split(':'))
	const head = parse(halves[0]!)
	const rest = halves.length === 2 ? parse(halves[1]!) : []
	if ([...head, ...rest].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null
	const missing = 8 - tail.length - head.length - rest.length
	if (halves.length === 1 ? missing !== 0 : missing < 1) return null
	return [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest].map((g) => parseInt(g, 16)).concat(tail)
}

/** Seconds until a fixed-window limiter (period 10 or 60 s) lets the key through again, at most. */
export const RATE_LIMIT_RETRY_AFTER_S = 60

export async function isAllowed(limiter: RateLimit, key: string): Promise<boolean> {
	const { success } = await limiter.limit({ key })
	return success
}

export function rateLimitedError(): ApiError {
	return new ApiError(429, ErrorCode.RATE_LIMITED, 'too many requests; slow down and retry later', {
		'Retry-After': String(RATE_LIMIT_RETRY_AFTER_S),
	})
}

export async function enforceRateLimit(limiter: RateLimit, key: string): Promise<void> {
	if (!(await isAllowed(limiter, key))) throw rateLimitedError()
}
