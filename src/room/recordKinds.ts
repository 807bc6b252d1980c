import type { RecordKind } from './decideClientSchema'
import type { PushMessage } from './clientMessageSchema'
import { TL_TABLE_PREFIX } from './readChanges'

/** `shape/card` for a card, `binding/pin` for a pin; null for every other record (and for non-records). */
export function recordKind(record: unknown): RecordKind | null {
	if (typeof record !== 'object' || record === null) return null
	const { typeName, type } = record as { typeName?: unknown; type?: unknown }
	return (typeName === 'shape' || typeName === 'binding') && typeof type === 'string' ? `${typeName}/${type}` : null
}

/** The shape and binding types among whole records (a records-API put, a restored snapshot). */
export function kindsOfRecords(records: Iterable<unknown>): Set<RecordKind> {
	const kinds = new Set<RecordKind>()
	for (const record of records) {
		const kind = recordKind(record)
		if (kind) kinds.add(kind)
	}
	return kinds
}

/**
 * The shape and binding types a push may bring: every put record's, and a patch that sets `type` (a
 * record's type changing in place; its typeName is the id's prefix). Removals bring nothing.
 */
export function kindsOfPush(diff: PushMessage['diff']): Set<RecordKind> {
	const kinds = new Set<RecordKind>()
	if (!diff) return kinds
	for (const id in diff) {
		const op = diff[id]!
		if (op[0] === 'put') {
			const kind = recordKind(op[1])
			if (kind) kinds.add(kind)
		} else if (op[0] === 'patch') {
			const type = op[1].type
			const kind = type?.[0] === 'put' && recordKind({ typeName: id.slice(0, Math.max(0, id.indexOf(':'))), type: type[1] })
			if (kind) kinds.add(kind)
		}
	}
	return kinds
}

/**
 * Which of `kinds` the room's document holds: one query over tldraw's `tl_documents` (records are JSON,
 * stored as BLOB), run only for a connecting client that lacks some kind.
 */
export function heldKinds(sql: Pick<SqlStorage, 'exec'>, kinds: readonly string[]): string[] {
	if (kinds.length === 0) return []
	const rows = sql.exec<{ kind: string }>(
		`SELECT DISTINCT kind FROM (
			SELECT json_extract(doc, '$.typeName') || '/' || json_extract(doc, '$.type') AS kind
			FROM (SELECT CAST(state AS TEXT) AS doc FROM ${TL_TABLE_PREFIX}documents)
		) WHERE kind IN (${kinds.map(() => '?').join(', ')})`,
		...kinds,
	)
	return rows.toArray().map((row) => row.kind)
}
