import { TLSyncErrorCloseEventCode, TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import type { SerializedSchema } from '@tldraw/store'
import { checkClientFrame } from './checkClientFrame'
import { connectSchemaOf, decideClientSchema } from './decideClientSchema'
import { takePushToken, type PushBucket } from './takePushToken'

/** `detail` is for the log only, never sent to the client. */
export type GateVerdict = { kind: 'accept'; text: string } | { kind: 'reject'; code: number; reason: string; detail?: string }

/** Milliseconds since the epoch; injected so tests can freeze or step time (the push bucket refills by it). */
export type Clock = () => number

/**
 * The room's per-session limits in front of TLSocketRoom: frame checks, assembled message size, and the
 * push rate. Keeps each session's state in memory (lost on hibernation, which only happens when idle).
 */
export class SessionGate {
	private readonly pendingBytes = new Map<string, number>()
	private readonly pushBuckets = new Map<string, PushBucket>()

	constructor(
		private readonly limits: { maxMessageBytes: number; maxPushesPerSecond: number; pushBurst: number },
		private readonly serverSchema: SerializedSchema,
		private readonly now: Clock = Date.now,
	) {}

	check(sessionId: string, frame: string | ArrayBuffer): GateVerdict {
		const verdict = checkClientFrame(frame, this.pendingBytes.get(sessionId) ?? 0, this.limits.maxMessageBytes)
		if (verdict.kind === 'reject') return verdict
		this.pendingBytes.set(sessionId, verdict.pendingBytes)
		if (verdict.isPush) {
			const taken = takePushToken(this.pushBuckets.get(sessionId), this.now(), this.limits.maxPushesPerSecond, this.limits.pushBurst)
			this.pushBuckets.set(sessionId, taken.bucket)
			if (!taken.allowed) return { kind: 'reject', code: TLSyncErrorCloseEventCode, reason: TLSyncErrorCloseEventReason.RATE_LIMITED }
		} else {
			const connect = connectSchemaOf(verdict.text)
			const schema = connect.isConnect ? decideClientSchema(connect.schema, this.serverSchema) : null
			if (schema?.kind === 'server-too-old') {
				return { kind: 'reject', code: TLSyncErrorCloseEventCode, reason: TLSyncErrorCloseEventReason.SERVER_TOO_OLD, detail: schema.detail }
			}
		}
		return { kind: 'accept', text: verdict.text }
	}

	forget(sessionId: string) {
		this.pendingBytes.delete(sessionId)
		this.pushBuckets.delete(sessionId)
	}
}
