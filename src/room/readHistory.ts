import type { RoomSnapshot } from '@tldraw/sync-core'
import type { RoomKey } from '../storage/keys'
import type { SnapshotStore } from '../storage/SnapshotStore'
import { BrokenChainError, parseHistoryObject, parseLatest, reconstruct, toRoomSnapshot, type Materialized } from './historyFormat'

/** Reads a chain's objects (in parallel) and rebuilds the version; BrokenChainError if one is missing. */
export async function readChain(store: SnapshotStore, objectKeys: readonly string[]): Promise<Materialized> {
	const texts = await Promise.all(objectKeys.map((k) => store.getVersion(k)))
	const missing = objectKeys.filter((_k, i) => texts[i] === null)
	if (missing.length > 0) throw new BrokenChainError(`history objects missing: ${missing.join(', ')}`)
	return reconstruct(texts.map((t) => parseHistoryObject(t!)))
}

/**
 * A version's snapshot. `chainOf` asks the room for the chain (null: no such version); a chain that retention
 * re-linked while it was being read is asked for again once.
 */
export async function readVersionSnapshot(store: SnapshotStore, chainOf: () => Promise<string[] | null>): Promise<RoomSnapshot | null> {
	for (let attempt = 1; ; attempt++) {
		const keys = await chainOf()
		if (keys === null) return null
		try {
			return toRoomSnapshot(await readChain(store, keys))
		} catch (err) {
			if (!(err instanceof BrokenChainError) || attempt >= 2) throw err
		}
	}
}

/** The newest exported version of a room, for a cold start: the `latest` manifest's chain, or an old whole snapshot. */
export async function readLatestSnapshot(store: SnapshotStore, roomKey: RoomKey): Promise<RoomSnapshot | null> {
	const json = await store.getLatest(roomKey)
	if (json === null) return null
	const latest = parseLatest(json)
	return latest.kind === 'snapshot' ? latest.snapshot : toRoomSnapshot(await readChain(store, latest.versions))
}
