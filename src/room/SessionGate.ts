import { TLSyncErrorCloseEventCode, TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import { checkClientFrame } from './checkClientFrame'
import { takePushToken, type PushBucket } from './takePushToken'

export type GateVerdict = { kind: 'accept'; text: string } | { kind: 'reject'; code: number; reason: string }

/**
 * The room's per-session limits in front of TLSocketRoom: frame checks, assembled message size, and the
 * push rate. Keeps each session's state in memory (lost on hibernation, which only happens when idle).
 */
export class SessionGate {
	private readonly pendingBytes = new Map<string, number>()
	private readonly pushBuckets = new Map<string, PushBucket>()

	constructor(private readonly limits: { maxMessageBytes: number; maxPushesPerSecond: number; pushBurst: number }) {}

	check(sessionId: string, frame: string | ArrayBuffer, nowMs: number): GateVerdict {
		const verdict = checkClientFrame(frame, this.pendingBytes.get(sessionId) ?? 0, this.limits.maxMessageBytes)
		if (verdict.kind === 'reject') return verdict
		this.pendingBytes.set(sessionId, verdict.pendingBytes)
		if (verdict.isPush) {
			const taken = takePushToken(this.pushBuckets.get(sessionId), nowMs, this.limits.maxPushesPerSecond, this.limits.pushBurst)
			this.pushBuckets.set(sessionId, taken.bucket)
			if (!taken.allowed) return { kind: 'reject', code: TLSyncErrorCloseEventCode, reason: TLSyncErrorCloseEventReason.RATE_LIMITED }
		}
		return { kind: 'accept', text: verdict.text }
	}

	forget(sessionId: string) {
		this.pendingBytes.delete(sessionId)
		this.pushBuckets.delete(sessionId)
	}
}
