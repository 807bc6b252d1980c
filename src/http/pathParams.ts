import { ApiError, ErrorCode } from './errors'

/**
 * Path parameters as the client meant them: the router hands them over still percent-encoded, and clients
 * that build paths with `encodeURIComponent` encode `:` in a history version (`07%3A55%3A42.203Z`). Each
 * value is decoded exactly once, before any validation, so `%253A` stays `%3A` and fails validation
 * instead of turning into `:` on a second pass. Malformed escapes are a 400.
 */
export function decodePathParams(params: Readonly<Record<string, string>>): Record<string, string> {
	const out: Record<string, string> = {}
	for (const [name, raw] of Object.entries(params)) {
		try {
			out[name] = decodeURIComponent(raw)
		} catch {
			throw new ApiError(400, ErrorCode.BAD_REQUEST, `path parameter ${name} is not valid percent-encoding`)
		}
	}
	return out
}
