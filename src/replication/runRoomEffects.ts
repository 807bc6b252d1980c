import type { JsonRow, RoomEffect } from './types'
import { planEffectStep } from './planPump'

export interface PendingEffect {
	id: number
	effect: RoomEffect
	attempts: number
}

export interface RoomEffectDeps {
	/** applyFileRowChange: the room's sessions and name, the published copy. Throws to be retried. */
	apply(before: JsonRow | null, after: JsonRow | null): Promise<void>
	/** The file's row as Postgres has it now (null: the row is gone). Throws when it cannot be read. */
	currentRow(fileId: string): Promise<JsonRow | null>
	done(id: number): void
	retry(id: number): void
	giveUp(effect: PendingEffect, error: unknown): void
}

/**
 * One pass over the replicator's pending room effects (oldest first). Two rules keep a failure from
 * rewinding a file: effects of one file are applied in commit order — once one fails, that file's later
 * effects wait for the next pass — and every effect acts on the file's *current* row, not the row it
 * stored, so a publish retried after the owner unpublished publishes nothing. (A retried publish whose
 * history copy was written completes from that copy: see applyFileRowChange.)
 */
export async function runRoomEffects(pending: readonly PendingEffect[], deps: RoomEffectDeps, maxAttempts: number): Promise<void> {
	const waiting = new Set<string>()
	for (const p of pending) {
		if (waiting.has(p.effect.fileId)) continue
		let error: unknown = null
		try {
			await deps.apply(p.effect.before, await deps.currentRow(p.effect.fileId))
		} catch (err) {
			error = err ?? new Error('room effect failed')
		}
		const step = planEffectStep(error === null, p.attempts, maxAttempts)
		if (step === 'retry') {
			deps.retry(p.id)
			waiting.add(p.effect.fileId)
		} else {
			deps.done(p.id)
			if (step === 'give-up') deps.giveUp(p, error)
		}
	}
}
