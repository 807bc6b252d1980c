import { classifyHost } from './classifyAddress'
import { ErrorCode } from '../http/errors'

/** Longer URLs are refused before parsing; browsers and CDNs rarely accept more. */
export const MAX_UNFURL_URL_CHARS = 2_048

export type TargetCheck =
	| { ok: true; url: URL }
	| { ok: false; code: typeof ErrorCode.INVALID_URL | typeof ErrorCode.FORBIDDEN_TARGET; message: string }

const invalid = (message: string): TargetCheck => ({ ok: false, code: ErrorCode.INVALID_URL, message })
const forbidden = (message: string): TargetCheck => ({ ok: false, code: ErrorCode.FORBIDDEN_TARGET, message })

/**
 * May the server fetch `raw` (the `url` query parameter, or a redirect's Location resolved against the
 * page that sent it)? Only http(s), no credentials, and no host that names a loopback, private,
 * link-local, CGNAT, multicast or otherwise non-public address (classifyAddress.ts).
 *
 * The host is judged after WHATWG URL parsing, which is what `fetch` itself does, so every spelling of
 * an IPv4 address (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, `%31`-escapes, full-width digits)
 * arrives here as dotted decimal, and IPv6 in its compressed form. Callers must fetch `url.href`, the
 * normalised form that was checked, never the raw text.
 *
 * DNS caveat: a public name that resolves to a private address (`127.0.0.1.nip.io`, DNS rebinding) is
 * not caught: Workers' `fetch` resolves names itself and cannot be pinned to a checked IP. On Cloudflare
 * this is contained because a Worker's subrequests leave from Cloudflare's edge to the public internet
 * and cannot reach the deployment's private networks; a self-hosted runtime (workerd on your own
 * machine) must put the same limit on its egress (an outbound proxy or firewall).
 */
export function checkUnfurlTarget(raw: string | null | undefined): TargetCheck {
	if (raw === null || raw === undefined || raw.trim() === '') return invalid('the url query parameter is required')
	if (raw.length > MAX_UNFURL_URL_CHARS) return invalid(`url must be at most ${MAX_UNFURL_URL_CHARS} characters`)
	let url: URL
	try {
		url = new URL(raw)
	} catch {
		return invalid('url is not a valid absolute URL')
	}
	return checkParsedTarget(url)
}

/** The same check for an already parsed URL (a redirect target resolved against the previous page). */
export function checkParsedTarget(url: URL): TargetCheck {
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return invalid(`only http and https URLs can be unfurled, not ${url.protocol}`)
	if (url.href.length > MAX_UNFURL_URL_CHARS) return invalid(`url must be at most ${MAX_UNFURL_URL_CHARS} characters`)
	// Credentials are never sent on a user's behalf, and `user@host` is a classic way to disguise the host.
	if (url.username !== '' || url.password !== '') return forbidden('URLs with a user name or password are not fetched')
	const reason = classifyHost(url.hostname)
	if (reason) return forbidden(`${url.hostname} is ${reason}: only public internet addresses are fetched`)
	return { ok: true, url }
}
