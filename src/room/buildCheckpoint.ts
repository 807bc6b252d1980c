import type { TLSyncSqliteWrapper } from '@tldraw/sync-core'
import { byId, CHECKPOINT_TAIL, checkpointHead, documentsJson, type RawRecord } from './historyFormat'
import { readChangesSince, readDocumentClock, readRecordSlice, readSchemaJson } from './readChanges'

const encoder = new TextEncoder()

/**
 * The whole document, read and encoded in slices with the room's messages handled in between. Records
 * written meanwhile are then re-read in one step (O(changes)) and only the slices they fall in are encoded
 * again, so the checkpoint is exactly the document at its clock and no step serialises the whole document.
 */
export async function buildCheckpoint(sql: TLSyncSqliteWrapper, sliceRecords: number, yieldToEvents: () => Promise<void>) {
	for (;;) {
		const startClock = readDocumentClock(sql)
		const slices: Slice[] = []
		let afterId = ''
		for (;;) {
			const records = readRecordSlice(sql, afterId, sliceRecords)
			if (records.length > 0) slices.push({ records, body: encoder.encode(documentsJson(records)) })
			if (records.length < sliceRecords) break
			afterId = records[records.length - 1]!.id
			await yieldToEvents()
		}
		const changes = readChangesSince(sql, startClock)
		if (!changes.complete) continue // tombstones were pruned while reading: start over
		if (changes.clock !== startClock) applyToSlices(slices, changes.puts, changes.removes)
		const schemaJson = readSchemaJson(sql)
		const parts: Uint8Array[] = [encoder.encode(checkpointHead(changes.clock, schemaJson))]
		for (const slice of slices) {
			if (slice.records.length === 0) continue
			if (parts.length > 1) parts.push(COMMA)
			parts.push(slice.body)
		}
		parts.push(encoder.encode(CHECKPOINT_TAIL))
		return { kind: 'checkpoint' as const, body: new Blob(parts as unknown as ConstructorParameters<typeof Blob>[0]), clock: changes.clock, schemaJson }
	}
}

interface Slice {
	/** Sorted by id; every id sorts after the previous slice's. */
	records: RawRecord[]
	/** `documentsJson(records)`, encoded. */
	body: Uint8Array
}

const COMMA = encoder.encode(',')

/**
 * Writes `puts` over the slices and takes `removes` out, re-encoding only the slices touched. An id sorts
 * into the first slice whose last id is not before it (the last slice takes the rest).
 */
function applyToSlices(slices: Slice[], puts: readonly RawRecord[], removes: readonly string[]) {
	if (slices.length === 0) slices.push({ records: [], body: new Uint8Array() })
	const touched = new Map<number, Map<string, RawRecord | null>>()
	const sliceOf = (id: string) => {
		let lo = 0
		let hi = slices.length - 1
		while (lo < hi) {
			const mid = (lo + hi) >> 1
			if (byId(slices[mid]!.records.at(-1)?.id ?? '', id) >= 0) hi = mid
			else lo = mid + 1
		}
		return lo
	}
	const note = (id: string, record: RawRecord | null) => {
		const i = sliceOf(id)
		const edits = touched.get(i) ?? new Map<string, RawRecord | null>()
		edits.set(id, record)
		touched.set(i, edits)
	}
	for (const id of removes) note(id, null)
	for (const r of puts) note(r.id, r)
	for (const [i, edits] of touched) {
		const byKey = new Map(slices[i]!.records.map((r) => [r.id, r]))
		for (const [id, record] of edits) {
			if (record) byKey.set(id, record)
			else byKey.delete(id)
		}
		const records = [...byKey.values()].sort((a, b) => byId(a.id, b.id))
		slices[i] = { records, body: encoder.encode(documentsJson(records)) }
	}
}

