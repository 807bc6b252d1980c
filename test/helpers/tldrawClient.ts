/**
 * A real tldraw sync client (TLSyncClient + ClientWebSocketAdapter, as useSync builds it) running in Node.
 * Used by the end-to-end tests and the benchmarks.
 */
import { atom } from '@tldraw/state'
import { Store } from '@tldraw/store'
import { TLSyncClient } from '@tldraw/sync-core'
import { createTLSchema, type TLRecord, type TLSchema } from '@tldraw/tlschema'
import { schema as deploymentSchema } from '../../schema/index.ts'
import { geoShape } from './protocolClient.ts'
import { ClientWebSocketAdapter, getNetworkDiff } from './syncCoreInternals.ts'
import { DEFAULT_WAIT_MS, waitFor } from './waitFor.ts'

let shimmed = false
/** The browser globals ClientWebSocketAdapter and TLSyncClient read. */
export function installBrowserShims() {
	if (shimmed) return
	shimmed = true
	const g = globalThis as Record<string, unknown>
	process.env.NODE_ENV = 'test' // TLSyncClient pushes at once instead of throttling to 30 fps
	if (typeof g.window === 'undefined') {
		const win = new EventTarget() as EventTarget & Record<string, unknown>
		g.window = Object.assign(globalThis, {
			addEventListener: win.addEventListener.bind(win),
			removeEventListener: win.removeEventListener.bind(win),
			dispatchEvent: win.dispatchEvent.bind(win),
		})
	}
	g.devicePixelRatio ??= 1
	if (typeof g.document === 'undefined') {
		const doc = new EventTarget() as EventTarget & { hidden: boolean }
		doc.hidden = false
		g.document = doc
	}
	g.requestAnimationFrame ??= (cb: (t: number) => void) => setTimeout(() => cb(Date.now()), 16)
	g.cancelAnimationFrame ??= (id: ReturnType<typeof setTimeout>) => clearTimeout(id)
}

/** The schema this deployment's rooms accept (schema/), which the web app's clients use. */
export const schema = deploymentSchema
/**
 * A stock tldraw client's schema: `useSync` without custom shapeUtils/bindingUtils, as tldraw's own
 * templates build it. Outside schema/, only tests call createTLSchema(), to stand for other clients (stock, older,
 * newer or buggy builds); the worker and the web app use schema/.
 */
export const stockSchema = createTLSchema()

export interface TestClient {
	store: Store<TLRecord>
	client: TLSyncClient<TLRecord>
	socket: ClientWebSocketAdapter
	/** Resolves on the first full sync. */
	loaded: Promise<void>
	/** The fatal sync error reason, once the server ends the session with code 4099. */
	syncError: Promise<string>
	isReadonly(): boolean | null
	/**
	 * How often the client restarted its own socket: it does so when it fails to apply what the server sent
	 * (e.g. its store refused a record of an unknown type), so a client the server served well has 0.
	 */
	resets(): number
	close(): void
}

let sessionCounter = 0

/** Connects a real tldraw client to `url` (http(s) or ws(s)); a `sessionId` is added as useSync does. */
export function connectClient(url: string, opts: { sessionId?: string; accessToken?: string; schema?: TLSchema } = {}): TestClient {
	installBrowserShims()
	const sessionId = opts.sessionId ?? `test-session-${process.pid}-${++sessionCounter}-${Math.random().toString(36).slice(2)}`
	const withSession = new URL(url)
	withSession.searchParams.set('sessionId', sessionId)
	withSession.searchParams.set('storeId', sessionId)
	// Browsers can't set headers on WebSockets, so apps pass the Clerk token in the URL.
	if (opts.accessToken) withSession.searchParams.set('accessToken', opts.accessToken)
	const store = new Store<TLRecord>({ schema: opts.schema ?? schema, props: {} as never })
	const socket = new ClientWebSocketAdapter(() => withSession.toString())
	let resets = 0
	const restart = socket.restart.bind(socket)
	socket.restart = () => {
		resets++
		restart()
	}
	let readonly: boolean | null = null
	let resolveLoaded!: () => void
	let resolveError!: (reason: string) => void
	const loaded = new Promise<void>((r) => (resolveLoaded = r))
	const syncError = new Promise<string>((r) => (resolveError = r))
	const client = new TLSyncClient<TLRecord>({
		store,
		socket,
		presence: atom('presence', null),
		onLoad: () => resolveLoaded(),
		onSyncError: (reason) => resolveError(reason),
		onAfterConnect: (_self, details) => {
			readonly = details.isReadonly
		},
	})
	return {
		store,
		client,
		socket,
		loaded,
		syncError,
		isReadonly: () => readonly,
		resets: () => resets,
		close: () => {
			client.close()
			socket.close()
		},
	}
}

/** A geo shape on the document's first page, valid under tlschema 5.4. */
export function makeGeoShape(store: Store<TLRecord>, id: string, x = 0, y = 0): TLRecord {
	const page = store.allRecords().find((r) => r.typeName === 'page')
	if (!page) throw new Error('no page in the store yet: wait for `loaded` first')
	return geoShape(id, x, y, page.id) as unknown as TLRecord
}

/** Re-exported so tests that drive clients import their waits from one place. */
export { waitFor }

/** Resolves once every change this client made has been pushed and acknowledged (`push_result`) by the server. */
export async function waitForAcks(c: TestClient, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
	const internals = c.client as unknown as {
		pendingPushRequests: unknown[]
		unsentChanges: { nextDiff?: unknown }
	}
	// Unsent changes that cancel out (a shape created and deleted between two flushes) stay in `nextDiff`
	// with an empty network diff until the next edit: tldraw's client has nothing to send, so that counts as
	// acknowledged.
	const nothingUnsent = () => !internals.unsentChanges.nextDiff || getNetworkDiff(internals.unsentChanges.nextDiff) === null
	await waitFor(() => internals.pendingPushRequests.length === 0 && nothingUnsent(), 'push acknowledgements', timeoutMs)
}

/** A card (schema/card.ts) on the document's first page. `props` may omit fields an older card lacks. */
export function makeCardShape(store: Store<TLRecord>, id: string, props: object, x = 0, y = 0): TLRecord {
	const page = store.allRecords().find((r) => r.typeName === 'page')
	if (!page) throw new Error('no page in the store yet: wait for `loaded` first')
	return {
		id: `shape:${id}`, typeName: 'shape', type: 'card', parentId: page.id, index: 'a2', x, y, rotation: 0, isLocked: false,
		opacity: 1, meta: {}, props,
	} as unknown as TLRecord
}

/** A pin binding (schema/pin.ts) from shape `fromId` to shape `toId`. */
export function makePinBinding(id: string, fromId: string, toId: string, anchor = { x: 0.5, y: 0.5 }): TLRecord {
	return { id: `binding:${id}`, typeName: 'binding', type: 'pin', fromId, toId, meta: {}, props: { anchor } } as unknown as TLRecord
}

/** The record `id` in a client's store, or undefined. */
export function recordOf<T = Record<string, unknown>>(c: TestClient, id: string): T | undefined {
	return c.store.get(id as never) as T | undefined
}

/** Whether the client is in the room right now (TLSyncClient's flag is public at run time, internal in its types). */
export function isConnected(c: TestClient): boolean {
	return (c.client as unknown as { isConnectedToRoom: boolean }).isConnectedToRoom
}

/** Changes some props of the record `id` in the client's store, as an editor would. */
export function updateProps(c: TestClient, id: string, props: Record<string, unknown>): void {
	c.store.update(id as never, (r: object) => ({ ...r, props: { ...(r as { props: object }).props, ...props } }) as never)
}
