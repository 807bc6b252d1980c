import { sha256Hex } from '../storage/sha256Hex'
import type { SnapshotStore } from '../storage/SnapshotStore'
import type { RoomKey } from '../storage/keys'
import { decideExport, type ExportDecision } from './exportPolicy'
import type { ExportState, VersionRow } from './RoomMetaStore'

export interface ExportTarget {
	getExportState(): ExportState
	markExported(clock: number): void
	recordVersion(v: Omit<VersionRow, 'id'>): void
}

export type ExportResult = ExportDecision & { clock: number; bytes?: number; historyKey?: string }

/** Writes the room's snapshot to R2 when it changed; throws when R2 fails (the caller retries). */
export async function exportRoom(opts: {
	roomKey: RoomKey
	clock: number
	snapshotJson: string
	now: number
	meta: ExportTarget
	store: SnapshotStore
}): Promise<ExportResult> {
	const state = opts.meta.getExportState()
	const hash = await sha256Hex(opts.snapshotJson)
	const decision = decideExport({ clock: opts.clock, lastExportedClock: state.lastExportedClock, hash, lastHash: state.lastHash })
	if (decision.kind === 'skip') {
		if (decision.why === 'unchanged') opts.meta.markExported(opts.clock)
		return { ...decision, clock: opts.clock }
	}
	const { historyKey } = await opts.store.putVersion(opts.roomKey, opts.now, opts.snapshotJson)
	const bytes = new TextEncoder().encode(opts.snapshotJson).byteLength
	opts.meta.recordVersion({ historyKey, createdAt: opts.now, clock: opts.clock, bytes, hash })
	return { ...decision, clock: opts.clock, bytes, historyKey }
}

