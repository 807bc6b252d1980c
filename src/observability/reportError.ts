import { Toucan } from 'toucan-js'

export interface ErrorReporter {
	captureException(err: unknown, extra?: Record<string, unknown>): void
}

/** Which part reported: the stateless Worker or one of the three Durable Objects (Sentry tag `component`). */
export type ErrorComponent = 'worker' | 'room' | 'user' | 'replicator'

const noop: ErrorReporter = { captureException: () => {} }

/**
 * Sentry through toucan-js when `SENTRY_DSN` is set, otherwise nothing is sent. Events go out in
 * `waitUntil`, so reporting never delays or fails a response.
 */
export function createErrorReporter(opts: {
	dsn: string | undefined
	waitUntil: (p: Promise<unknown>) => void
	request?: Request
	component: ErrorComponent
}): ErrorReporter {
	if (!opts.dsn) return noop
	const sentry = new Toucan({
		dsn: opts.dsn,
		context: { waitUntil: opts.waitUntil, request: opts.request },
		request: opts.request,
		// Clients never see these details; Sentry gets the stack, not request bodies or tokens.
		requestDataOptions: { allowedHeaders: ['user-agent', 'cf-ray'], allowedSearchParams: /^(?!accessToken$).*/ },
	})
	sentry.setTag('component', opts.component)
	return {
		captureException(err, extra) {
			if (extra) sentry.setExtras(extra)
			sentry.captureException(err)
		},
	}
}
