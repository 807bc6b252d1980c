import type { TLSyncStorage } from '@tldraw/sync-core'
import type { TLRecord, TLSchema } from '@tldraw/tlschema'
import { describeInvalidRecord, formatInvalidRecord } from './describeInvalidRecord'

export type RecordChangeResult =
	| { kind: 'applied'; clock: number }
	| { kind: 'conflict'; clock: number }
	/** `typeName` and `path` locate the first failing record without quoting its content. */
	| { kind: 'invalid'; message: string; typeName: string; path: string }
	/** The puts could take the document past MAX_DOCUMENT_BYTES (checked by the room, see DocumentSizeMeter). */
	| { kind: 'too-large'; maxBytes: number }

/**
 * Server-side edits for scripts and bots (POST …/records): optimistic concurrency on the document clock,
 * every record validated against the tldraw schema, all or nothing. Connected clients receive the change
 * like any other edit, because the room broadcasts external storage changes.
 */
export function applyRecordChanges(
	storage: TLSyncStorage<TLRecord>,
	schema: TLSchema,
	change: { put: unknown[]; remove: string[]; expectedClock?: number },
	/** Called with the validated puts right before they are applied (SchemaGaps closes who cannot take them). */
	beforeApply: (records: readonly TLRecord[]) => void = () => {},
): RecordChangeResult {
	const validated: TLRecord[] = []
	for (const [i, raw] of change.put.entries()) {
		const typeName = (raw as { typeName?: unknown })?.typeName
		const type = typeof typeName === 'string' ? schema.types[typeName as keyof typeof schema.types] : undefined
		if (!type) return { kind: 'invalid', message: `put[${i}]: unknown typeName`, typeName: typeof typeName === 'string' ? typeName.slice(0, 64) : 'unknown', path: 'typeName' }
		if (type.scope !== 'document') return { kind: 'invalid', message: `put[${i}]: ${typeName} records are not part of the document`, typeName: String(typeName), path: 'typeName' }
		try {
			validated.push(type.validate(raw as never) as TLRecord)
		} catch (err) {
			const failure = describeInvalidRecord(err, raw)
			return { kind: 'invalid', message: `put[${i}]: ${formatInvalidRecord(failure)}`, typeName: failure.typeName, path: failure.path }
		}
	}
	beforeApply(validated)
	return storage.transaction((txn) => {
		const clock = txn.getClock()
		if (change.expectedClock !== undefined && change.expectedClock !== clock) return { kind: 'conflict', clock } as const
		for (const record of validated) txn.set(record.id, record)
		for (const id of change.remove) if (txn.get(id)) txn.delete(id)
		return { kind: 'applied', clock: txn.getClock() } as const
	}).result
}
