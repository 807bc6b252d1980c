/** The systems measured side by side, behind one shape the scenarios use. */
import type { BaselineServer } from './BaselineServer.ts'
import type { WranglerDev } from './WranglerDev.ts'

export type SystemName = 'sync-worker' | 'baseline' | 'baseline-sqlite' | 'limit' | 'limit-durable'

export interface BenchSystem {
	name: SystemName
	/** `tldraw` speaks the sync protocol; `raw` only relays messages (the limit). */
	protocol: 'tldraw' | 'raw'
	/** Rooms are Durable Objects, which the runtime may hibernate; Node rooms live as long as the process. */
	canHibernate: boolean
	roomUrl(roomId: string, sessionId: string): string
	/** Server-side processes whose CPU time this system spends. */
	serverPids(): number[]
	/** The process that holds the rooms in memory. */
	roomsPid(): number
	/** Restart on the same persisted state, so every room loads cold. */
	restart(): Promise<void>
	/** Runs a full GC in the server before a memory reading, where the server allows it (Node baseline). */
	collectGarbage(): Promise<void>
	/** JS heap in use after a full GC, where the server reports it (Node baseline); null elsewhere. */
	heapUsedBytes(): Promise<number | null>
}

function wsRoomUrl(baseUrl: string, roomId: string, sessionId: string): string {
	return `${baseUrl.replace(/^http/, 'ws')}/r/${roomId}?sessionId=${encodeURIComponent(sessionId)}`
}

export function wranglerSystem(name: 'sync-worker' | 'limit' | 'limit-durable', dev: WranglerDev): BenchSystem {
	// Both limits run under one `wrangler dev` (bench/limit): the durable relay answers under /durable.
	const prefix = name === 'limit-durable' ? '/durable' : ''
	return {
		name,
		protocol: name === 'sync-worker' ? 'tldraw' : 'raw',
		canHibernate: true,
		roomUrl: (roomId, sessionId) => wsRoomUrl(dev.baseUrl + prefix, roomId, sessionId),
		serverPids: () => Object.values(dev.workerdPids()),
		roomsPid: () => dev.workerdPids().runtime,
		restart: () => dev.restart(),
		// workerd offers no way to force a GC from outside; readings are taken after a pause instead.
		collectGarbage: async () => {},
		heapUsedBytes: async () => null,
	}
}

export function baselineSystem(name: 'baseline' | 'baseline-sqlite', server: BaselineServer): BenchSystem {
	return {
		name,
		protocol: 'tldraw',
		canHibernate: false,
		roomUrl: (roomId, sessionId) => wsRoomUrl(server.baseUrl, roomId, sessionId),
		serverPids: () => [server.pid],
		roomsPid: () => server.pid,
		restart: () => server.restart(),
		collectGarbage: async () => {
			await server.stats()
		},
		heapUsedBytes: async () => (await server.stats()).heapUsed,
	}
}
