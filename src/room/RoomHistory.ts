import type { RoomSnapshot, TLSyncSqliteWrapper } from '@tldraw/sync-core'
import { historyVersionKey, type RoomKey } from '../storage/keys'
import type { SnapshotStore } from '../storage/SnapshotStore'
import { changesJson, checkpointJson, diffMaterialized, manifestJson, rawRecords } from './historyFormat'
import { buildCheckpoint } from './buildCheckpoint'
import { readChain, readVersionSnapshot } from './readHistory'
import {
	CHECKPOINT_CHAIN_FRACTION,
	chooseVersionKind,
	nextExportAlarm,
	planRelinks,
	planRetention,
	RETENTION_MAX_DEFER_MS,
	type AlarmReason,
	type ChainState,
} from './historyPolicy'
import { readChangesSince, readDocumentClock, readSchemaJson } from './readChanges'
import type { RoomMetaStore, VersionRow } from './RoomMetaStore'

/** The alarm part of Durable Object storage. */
export interface AlarmClock {
	getAlarm(): Promise<number | null>
	setAlarm(scheduledTimeMs: number): Promise<void>
}

/** Records read per slice of a checkpoint; the room handles messages between slices. */
const CHECKPOINT_SLICE_RECORDS = 500
const encoder = new TextEncoder()

/**
 * A room's history in R2 (README "Storage"): exports throttled to one per PERSIST_INTERVAL_MS while the
 * clock advances, an immediate export when the last session leaves, retries with backoff when R2 fails, and
 * retention when the room is idle. An export reads only the records changed since the previous version (a
 * change set, O(changes)); a checkpoint is read in slices between the room's messages.
 */
export class RoomHistory {
	/** An export alarm is known to be set; saves a storage round trip on every change of a busy room. */
	private alarmSet = false
	/** Exports and retention run one at a time (the alarm and a restore may both ask). */
	private queue: Promise<unknown> = Promise.resolve()

	constructor(
		private readonly deps: {
			alarms: AlarmClock
			meta: RoomMetaStore
			snapshots: SnapshotStore
			/** The room's SQLite, holding SQLiteSyncStorage's tables. */
			sql: TLSyncSqliteWrapper
			persistIntervalMs: number
			report: (err: unknown, extra: Record<string, unknown>) => void
			now: () => number
			/** Lets other events (socket messages) run; called between slices of a checkpoint. */
			yieldToEvents: () => Promise<void>
			/** Records per slice of a checkpoint (default CHECKPOINT_SLICE_RECORDS). */
			sliceRecords?: number
		},
	) {}

	async schedule(reason: AlarmReason): Promise<void> {
		if (reason === 'changed' && this.alarmSet) return
		const at = nextExportAlarm({
			now: this.deps.now(),
			currentAlarm: await this.deps.alarms.getAlarm(),
			reason,
			persistIntervalMs: this.deps.persistIntervalMs,
			failures: this.deps.meta.getExportState().failures,
		})
		await this.deps.alarms.setAlarm(at)
		this.alarmSet = true
	}

	/** Called from the alarm. */
	onAlarm() {
		this.alarmSet = false
	}

	private serially<T>(task: () => Promise<T>): Promise<T> {
		const run = this.queue.then(task)
		this.queue = run.catch(() => undefined)
		return run
	}

	/** Exports now; on failure schedules a retry and returns null. Returns the history key written, if any. */
	exportNow(): Promise<string | null> {
		return this.serially(() => this.exportOnce())
	}

	/** Applies retention when the room is idle, or when it was last applied more than a day ago. */
	retainIfDue(roomIsIdle: boolean): Promise<number> {
		const now = this.deps.now()
		if (!roomIsIdle && now - this.deps.meta.lastRetentionAt() < RETENTION_MAX_DEFER_MS) return Promise.resolve(0)
		return this.serially(() => this.retain(now))
	}

	/** Object keys of the chain a version is read from, or null when the room has no such version. */
	versionChain(historyKey: string): string[] | null {
		const row = this.deps.meta.getVersionByKey(historyKey)
		return row ? this.deps.meta.chainOf(row.id).map((r) => r.objectKey) : null
	}

	async readVersion(historyKey: string): Promise<RoomSnapshot | null> {
		return readVersionSnapshot(this.deps.snapshots, async () => this.versionChain(historyKey))
	}

	private async exportOnce(): Promise<string | null> {
		const { meta, snapshots } = this.deps
		const roomKey = meta.getRoomKey()
		if (!roomKey) return null
		try {
			const state = meta.getExportState()
			// Unchanged content is skipped: nothing was written since the last version.
			if (state.lastExportedClock !== null && readDocumentClock(this.deps.sql) <= state.lastExportedClock) return null
			const newest = meta.newestVersion()
			const version =
				this.changeSetAfter(newest, state.lastExportedClock) ??
				(await buildCheckpoint(this.deps.sql, this.deps.sliceRecords ?? CHECKPOINT_SLICE_RECORDS, this.deps.yieldToEvents))
			const { historyKey, at } = this.newHistoryKey(roomKey, newest)
			await snapshots.putVersion(historyKey, version.body)
			const chain = version.kind === 'changes' ? meta.chainOf(newest!.id).map((r) => r.objectKey) : []
			await snapshots.putLatest(roomKey, manifestJson([...chain, historyKey]))
			const bytes = version.body instanceof Blob ? version.body.size : version.body.byteLength
			meta.recordVersion({ historyKey, kind: version.kind, createdAt: at, clock: version.clock, bytes })
			meta.setExportedSchema(version.schemaJson)
			return historyKey
		} catch (err) {
			// The room keeps serving from SQLite; R2 catches up on a later attempt.
			const failures = meta.getExportState().failures + 1
			meta.setExportFailures(failures)
			console.error(`export of ${roomKey} failed (attempt ${failures}):`, err)
			this.deps.report(err, { roomKey, failures })
			await this.schedule('retry')
			return null
		}
	}

	/** A version key after the newest one (two exports in the same millisecond get distinct keys). */
	private newHistoryKey(roomKey: RoomKey, newest: VersionRow | null) {
		let at = this.deps.now()
		while (newest && historyVersionKey(roomKey, at) <= newest.historyKey) at++
		return { historyKey: historyVersionKey(roomKey, at), at }
	}

	/** The changes since the newest version as a change set, when the chain may take one. */
	private changeSetAfter(newest: VersionRow | null, lastExportedClock: number | null) {
		if (!newest || newest.clock !== lastExportedClock) return null
		const changes = readChangesSince(this.deps.sql, newest.clock)
		if (!changes.complete) return null
		const schemaJson = readSchemaJson(this.deps.sql)
		const json = changesJson({
			fromClock: newest.clock,
			documentClock: changes.clock,
			schemaJson: schemaJson === this.deps.meta.getExportedSchema() ? undefined : schemaJson,
			puts: changes.puts,
			removes: changes.removes,
		})
		const body = encoder.encode(json)
		if (chooseVersionKind(this.chainState(newest), body.byteLength) !== 'changes') return null
		return { kind: 'changes' as const, body, clock: changes.clock, schemaJson }
	}

	private chainState(newest: VersionRow): ChainState | null {
		const [checkpoint, ...changes] = this.deps.meta.chainOf(newest.id)
		if (checkpoint?.kind !== 'checkpoint') return null
		return { length: changes.length, bytes: changes.reduce((n, r) => n + r.bytes, 0), checkpointBytes: checkpoint.bytes }
	}

	/**
	 * Drops the versions planRetention thins out. Kept change sets that followed a dropped version absorb its
	 * changes (a change set from the previous kept version, or a checkpoint), written under new object keys
	 * first; the index then switches to them in one write, and only then are the old objects deleted.
	 */
	private async retain(now: number): Promise<number> {
		const { meta, snapshots } = this.deps
		const roomKey = meta.getRoomKey()
		const rows = meta.allVersions()
		const dropped = new Set(planRetention(rows, now))
		if (!roomKey || dropped.size === 0) {
			meta.applyRetention([], [], now)
			return 0
		}
		const byRowId = new Map(rows.map((r) => [r.id, r]))
		const read = (id: number) => readChain(snapshots, meta.chainOf(id).map((r) => r.objectKey))
		const relinked: Array<Pick<VersionRow, 'id' | 'kind' | 'objectKey' | 'bytes'> & { oldObjectKey: string }> = []
		for (const relink of planRelinks(rows, dropped)) {
			const row = byRowId.get(relink.id)!
			const target = await read(row.id)
			let kind = relink.kind
			let json: string | null = null
			if (relink.baseId !== null) {
				const base = await read(relink.baseId)
				const targetSchema = JSON.stringify(target.schema)
				json = changesJson({
					fromClock: base.documentClock,
					documentClock: target.documentClock,
					schemaJson: JSON.stringify(base.schema) === targetSchema ? undefined : targetSchema,
					...diffMaterialized(base, target),
				})
				const checkpointBytes = meta.chainOf(relink.baseId)[0]?.bytes ?? 0
				if (json.length > CHECKPOINT_CHAIN_FRACTION * checkpointBytes) json = null
			}
			if (json === null) {
				kind = 'checkpoint'
				json = checkpointJson({ documentClock: target.documentClock, schemaJson: JSON.stringify(target.schema), records: rawRecords(target) })
			}
			const body = encoder.encode(json)
			const objectKey = `${row.historyKey}~${now.toString(36)}`
			await snapshots.putVersion(objectKey, body)
			relinked.push({ id: row.id, kind, objectKey, bytes: body.byteLength, oldObjectKey: row.objectKey })
		}
		meta.applyRetention([...dropped], relinked, now)
		const newest = meta.newestVersion()!
		await snapshots.putLatest(roomKey, manifestJson(meta.chainOf(newest.id).map((r) => r.objectKey)))
		const gone = [...dropped].map((id) => byRowId.get(id)!.objectKey).concat(relinked.map((r) => r.oldObjectKey))
		await snapshots.deleteVersions(gone)
		return dropped.size
	}
}
