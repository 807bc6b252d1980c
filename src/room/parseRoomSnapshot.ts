import type { RoomSnapshot } from '@tldraw/sync-core'
import { z } from 'zod'

const RecordSchema = z.looseObject({ id: z.string(), typeName: z.string() })

const RoomSnapshotSchema = z.looseObject({
	clock: z.number().int().nonnegative().optional(),
	documentClock: z.number().int().nonnegative().optional(),
	documents: z.array(z.object({ state: RecordSchema, lastChangedClock: z.number().int().nonnegative() })),
	tombstones: z.record(z.string(), z.number()).optional(),
	tombstoneHistoryStartsAtClock: z.number().optional(),
	schema: z.looseObject({ schemaVersion: z.number() }).optional(),
})

/** Validates the shape of a stored room snapshot; record contents are migrated and validated by tldraw on load. */
export function parseRoomSnapshot(json: string): RoomSnapshot {
	let value: unknown
	try {
		value = JSON.parse(json)
	} catch {
		throw new Error('stored snapshot is not JSON')
	}
	const parsed = RoomSnapshotSchema.safeParse(value)
	if (!parsed.success) throw new Error(`stored snapshot is malformed: ${parsed.error.issues[0]?.message}`)
	// Record ids are branded strings in tldraw's types; the shape is what we checked.
	return parsed.data as unknown as RoomSnapshot
}
