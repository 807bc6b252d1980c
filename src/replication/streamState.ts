/** The replicator's logical replication stream, as its object sees it. */
export type StreamState = 'stopped' | 'starting' | 'running' | 'failed'

export interface StreamStatus {
	state: StreamState
	/** A failure of the current streak was already reported (the stream is retried every second). */
	failureReported: boolean
}

export type StreamEvent =
	/** startStream began (slot check, connect). */
	| 'starting'
	/** The subscription was handed to Postgres. */
	| 'subscribed'
	/** The start or the running stream failed; an alarm retries it. */
	| 'failed'
	/** A message or heartbeat arrived: the stream works, a later failure starts a new streak. */
	| 'alive'

/** Whether an RPC or the keepalive alarm must (re)start the stream. */
export function streamNeedsStart(state: StreamState): boolean {
	return state !== 'running' && state !== 'starting'
}

/** The stream's next status, and whether this event is reported to Sentry (the first failure of a streak). */
export function nextStreamStatus(status: StreamStatus, event: StreamEvent): { status: StreamStatus; report: boolean } {
	switch (event) {
		case 'starting':
			return { status: { ...status, state: 'starting' }, report: false }
		case 'subscribed':
			return { status: { ...status, state: 'running' }, report: false }
		case 'failed':
			return { status: { state: 'failed', failureReported: true }, report: !status.failureReported }
		case 'alive':
			return { status: { ...status, failureReported: false }, report: false }
	}
}
