/** The Worker's HTTP API from the browser: JSON in and out, errors as ApiRequestError with the server's code. */
export class ApiRequestError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message)
	}
}

export type TokenSource = () => Promise<string | null>

export async function apiFetch(path: string, opts: { method?: string; token?: TokenSource; json?: unknown; body?: BodyInit; contentType?: string } = {}): Promise<Response> {
	const headers = new Headers()
	const token = opts.token ? await opts.token() : null
	if (token) headers.set('Authorization', `Bearer ${token}`)
	let body = opts.body
	if (opts.json !== undefined) {
		headers.set('Content-Type', 'application/json')
		body = JSON.stringify(opts.json)
	} else if (opts.contentType) {
		headers.set('Content-Type', opts.contentType)
	}
	const res = await fetch(path, { method: opts.method ?? 'GET', headers, body })
	if (!res.ok) {
		const data = (await res.json().catch(() => null)) as { error?: unknown; code?: unknown } | null
		const message = typeof data?.error === 'string' ? data.error : `${res.status} ${res.statusText}`
		throw new ApiRequestError(res.status, typeof data?.code === 'string' ? data.code : `HTTP_${res.status}`, message)
	}
	return res
}

export async function apiJson<T>(path: string, opts: Parameters<typeof apiFetch>[1] = {}): Promise<T> {
	return (await (await apiFetch(path, opts)).json()) as T
}

export function describeError(err: unknown): string {
	if (err instanceof ApiRequestError) return `${err.message} (${err.code})`
	return err instanceof Error ? err.message : String(err)
}
