import type { SQLiteSyncStorage } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import type { SnapshotStore } from '../storage/SnapshotStore'
import { nextExportAlarm, type AlarmReason } from './exportPolicy'
import { exportRoom } from './exportRoom'
import { pruneHistory } from './pruneHistory'
import type { RoomMetaStore } from './RoomMetaStore'

/** The alarm part of Durable Object storage. */
export interface AlarmClock {
	getAlarm(): Promise<number | null>
	setAlarm(scheduledTimeMs: number): Promise<void>
}

/**
 * A room's exports to R2 (DESIGN §3): alarms throttled to one per PERSIST_INTERVAL_MS while the clock
 * advances, an immediate export when the last session leaves, retries with backoff when R2 fails, and
 * history retention after each new version.
 */
export class RoomExporter {
	/** An export alarm is known to be set; saves a storage round trip on every change of a busy room. */
	private alarmSet = false

	constructor(
		private readonly deps: {
			alarms: AlarmClock
			meta: RoomMetaStore
			snapshots: SnapshotStore
			persistIntervalMs: number
			report: (err: unknown, extra: Record<string, unknown>) => void
		},
	) {}

	async schedule(reason: AlarmReason): Promise<void> {
		if (reason === 'changed' && this.alarmSet) return
		const at = nextExportAlarm({
			now: Date.now(),
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

	/** Exports now; on failure schedules a retry and returns null. Returns the history key written, if any. */
	async exportNow(storage: SQLiteSyncStorage<TLRecord>): Promise<string | null> {
		const { meta, snapshots } = this.deps
		const roomKey = meta.getRoomKey()
		if (!roomKey) return null
		try {
			const now = Date.now()
			const result = await exportRoom({
				roomKey,
				clock: storage.getClock(),
				snapshotJson: JSON.stringify(storage.getSnapshot()),
				now,
				meta,
				store: snapshots,
			})
			if (result.kind === 'write') await pruneHistory({ index: meta, store: snapshots, nowMs: now })
			return result.historyKey ?? null
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
}
