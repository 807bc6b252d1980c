import type { FetchFn } from '../../src/unfurl/unfurlUrl'

/** What a fake site answers: a response to build, or 'hang' to never answer (until the request is aborted). */
export type FakeRoute = (() => Response) | 'hang'

/**
 * A `fetch` for the unfurler that serves fixed pages, redirects and failures by exact URL, records every
 * request, and honours the abort signal like the real one. Unknown URLs fail like an unreachable host.
 */
export class FakeWeb {
	readonly requests: Array<{ url: string; init: RequestInit }> = []
	private readonly routes = new Map<string, FakeRoute>()

	page(url: string, html: string, headers: Record<string, string> = {}): this {
		return this.route(url, () => new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers } }))
	}

	redirect(url: string, location: string, status = 302): this {
		return this.route(url, () => new Response(null, { status, headers: { Location: location } }))
	}

	route(url: string, route: FakeRoute): this {
		this.routes.set(url, route)
		return this
	}

	readonly fetch: FetchFn = (url, init) => {
		this.requests.push({ url, init })
		const route = this.routes.get(url)
		const signal = init.signal ?? undefined
		if (signal?.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'))
		if (route === 'hang') {
			return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
		}
		if (!route) return Promise.reject(new TypeError(`fetch failed: ${url} is unreachable`))
		return Promise.resolve(route())
	}

	urls(): string[] {
		return this.requests.map((r) => r.url)
	}
}

/** A body that sends `chunkBytes` chunks forever (or `totalBytes`), counting how many bytes were pulled. */
export function endlessHtml(opts: { prefix: string; chunkBytes?: number; totalBytes?: number }) {
	const encoder = new TextEncoder()
	const stats = { pulledBytes: 0, cancelled: false }
	let sentPrefix = false
	const chunk = encoder.encode('<p>' + 'x'.repeat((opts.chunkBytes ?? 16 * 1024) - 7) + '</p>')
	const stream = new ReadableStream<Uint8Array>({
		pull(controller) {
			if (opts.totalBytes !== undefined && stats.pulledBytes >= opts.totalBytes) return controller.close()
			const next = sentPrefix ? chunk : encoder.encode(opts.prefix)
			sentPrefix = true
			stats.pulledBytes += next.byteLength
			controller.enqueue(next)
		},
		cancel() {
			stats.cancelled = true
		},
	})
	return { stream, stats }
}

/** A body whose first chunk arrives and whose second never does. */
export function stallingHtml(prefix: string): ReadableStream<Uint8Array> {
	let sent = false
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			if (sent) return new Promise<void>(() => {})
			sent = true
			controller.enqueue(new TextEncoder().encode(prefix))
		},
	})
}
