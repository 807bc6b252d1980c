/**
 * Runtime exports of @tldraw/sync-core that its published types leave out (marked internal), typed here
 * once. Only tests and benchmarks use them: they build the same client useSync builds.
 */
import * as core from '@tldraw/sync-core'
import type { TLPersistentClientSocket } from '@tldraw/sync-core'

interface ClientWebSocketAdapterLike extends TLPersistentClientSocket<object, object> {
	close(): void
}

const internals = core as unknown as {
	ClientWebSocketAdapter: new (getUri: () => string | Promise<string>) => ClientWebSocketAdapterLike
	getTlsyncProtocolVersion: () => number
	getNetworkDiff: (diff: object) => object | null
}

export const ClientWebSocketAdapter = internals.ClientWebSocketAdapter
export type ClientWebSocketAdapter = ClientWebSocketAdapterLike
export const getTlsyncProtocolVersion = internals.getTlsyncProtocolVersion
/** The diff a client would push for its unsent changes, or null when they cancel out (nothing to send). */
export const getNetworkDiff = internals.getNetworkDiff
