import { TLSyncErrorCloseEventCode, TLSyncErrorCloseEventReason } from '@tldraw/sync-core'
import type { SerializedSchema } from '@tldraw/store'
import { checkClientFrame, type PendingMessage } from './checkClientFrame'
import type { ClientMessage } from './clientMessageSchema'
import { CloseCode } from './closeCodes'
import { decideClientSchema } from './decideClientSchema'
import { takePushToken, type PushBucket } from './takePushToken'

/** `detail` is for the log only, never sent to the client. */
export type GateVerdict =
	| { kind: 'wait' }
	| { kind: 'accept'; text: string; message: ClientMessage }
	| { kind: 'reject'; code: number; reason: string; detail?: string }

/** Milliseconds since the epoch; injected so tests can freeze or step time (the push bucket refills by it). */
export type Clock = () => number

/**
 * The room's per-session checks in front of TLSocketRoom, run once per frame (this is the per-message
 * cost the room adds; keep it linear and allocation-light): frame size, assembly of split messages, the
 * protocol schema (checkClientFrame → clientMessageSchema: one JSON.parse and one schema walk per
 * message), one `connect` per socket, the client's record schema at connect, and the push rate.
 * Assembly and rate state live in memory (lost on hibernation, which only happens when idle); whether a
 * socket already connected is the caller's (it survives hibernation in the socket attachment).
 */
export class SessionGate {
	private readonly pending = new Map<string, PendingMessage>()
	private readonly pushBuckets = new Map<string, PushBucket>()

	constructor(
		private readonly limits: { maxMessageBytes: number; maxPushesPerSecond: number; pushBurst: number },
		private readonly serverSchema: SerializedSchema,
		private readonly now: Clock = Date.now,
	) {}

	check(sessionId: string, frame: string | ArrayBuffer, socket: { connected: boolean }): GateVerdict {
		const verdict = checkClientFrame(frame, this.pending.get(sessionId) ?? null, this.limits.maxMessageBytes)
		if (verdict.kind === 'reject') return verdict
		if (verdict.kind === 'partial') {
			this.pending.set(sessionId, verdict.pending)
			return { kind: 'wait' }
		}
		this.pending.delete(sessionId)
		const { message } = verdict
		if (message.type === 'connect') {
			// Each `connect` makes the room serialise and send the whole document: one per socket (a stock
			// client opens a new socket to reconnect), so a reader cannot turn small frames into large sends.
			if (socket.connected) return { kind: 'reject', code: TLSyncErrorCloseEventCode, reason: CloseCode.DUPLICATE_CONNECT }
			const schema = decideClientSchema(message.schema, this.serverSchema)
			if (schema.kind === 'server-too-old') {
				return { kind: 'reject', code: TLSyncErrorCloseEventCode, reason: TLSyncErrorCloseEventReason.SERVER_TOO_OLD, detail: schema.detail }
			}
		} else if (message.type === 'push') {
			const taken = takePushToken(this.pushBuckets.get(sessionId), this.now(), this.limits.maxPushesPerSecond, this.limits.pushBurst)
			this.pushBuckets.set(sessionId, taken.bucket)
			if (!taken.allowed) return { kind: 'reject', code: TLSyncErrorCloseEventCode, reason: TLSyncErrorCloseEventReason.RATE_LIMITED }
		}
		return { kind: 'accept', text: verdict.text, message }
	}

	forget(sessionId: string) {
		this.pending.delete(sessionId)
		this.pushBuckets.delete(sessionId)
	}
}
