/** JSON calls against a running worker, as an app would make them; and unique ids for test data. */

export interface ApiResponse {
	status: number
	headers: Headers
	body: any
}

/** `baseUrl` is read per call, so the harness may start after this is created. */
export function apiClient(baseUrl: () => string) {
	return async function api(
		method: string,
		path: string,
		opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
	): Promise<ApiResponse> {
		const headers: Record<string, string> = { ...opts.headers }
		if (opts.token) headers.Authorization = `Bearer ${opts.token}`
		if (opts.body !== undefined) headers['Content-Type'] ??= 'application/json'
		const res = await fetch(`${baseUrl()}${path}`, {
			method,
			headers,
			body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
		})
		const text = await res.text()
		return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null }
	}
}

/** A short id unique across tests sharing one Postgres. */
export const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`

/**
 * Sends `request(i)` until one is answered 429, at most `max` of them, `batch` at a time; returns that 429
 * answer, or the last one. Rate limits count fixed windows, so twice a limit always crosses it within one
 * window, if the requests fit in a window: one by one they may not, on a loaded machine.
 */
export async function sendUntilRateLimited<T extends { status: number }>(request: (i: number) => Promise<T>, max: number, batch = 30): Promise<T> {
	let last: T | undefined
	for (let sent = 0; sent < max && last?.status !== 429; sent += batch) {
		const answers = await Promise.all(Array.from({ length: Math.min(batch, max - sent) }, (_, k) => request(sent + k)))
		last = answers.find((r) => r.status === 429) ?? answers[answers.length - 1]
	}
	return last!
}
