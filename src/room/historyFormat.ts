import type { RoomSnapshot } from '@tldraw/sync-core'
import { z } from 'zod'
import { parseRoomSnapshot } from './parseRoomSnapshot'

/**
 * The history format in R2 (README "Storage"). A room's history is a chain of objects in `ROOM_HISTORY`:
 *
 * - a **checkpoint** is a whole room snapshot (`{documentClock, schema, documents:[{state, lastChangedClock}]}`,
 *   documents sorted by id) — the same shape every version had before chains, so those old versions are
 *   simply checkpoints;
 * - a **change set** (`{"kind":"changes", fromClock, documentClock, puts, removes, schema?}`) holds the records
 *   put and the ids removed since the previous version of the chain, whose clock is `fromClock`.
 *
 * A version is read by applying the change sets after the newest checkpoint at or before it. The `ROOMS`
 * bucket's `latest` object is a small manifest (`{"kind":"chain", versions:[object keys]}`) naming the chain of
 * the newest version, so a cold start needs no index.
 */

/** One record as stored: its JSON text, so exports never parse or re-serialise the document. */
export interface RawRecord {
	id: string
	state: string
	lastChangedClock: number
}

type DocEntry = RoomSnapshot['documents'][number]

/** A document being rebuilt from a chain. */
export interface Materialized {
	documentClock: number
	schema: unknown
	records: Map<string, DocEntry>
}

export interface ChangeSet {
	kind: 'changes'
	fromClock: number
	documentClock: number
	schema?: unknown
	puts: DocEntry[]
	removes: string[]
}

/** Thrown when a chain does not link up (a change set's fromClock is not the clock it is applied to). */
export class BrokenChainError extends Error {}

export const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** A checkpoint's JSON, assembled from stored record texts (`records` sorted by id). */
export function checkpointJson(opts: { documentClock: number; schemaJson: string; records: readonly RawRecord[] }): string {
	return checkpointHead(opts.documentClock, opts.schemaJson) + documentsJson(opts.records) + CHECKPOINT_TAIL
}

/** A checkpoint is `checkpointHead` + the documents, comma-separated + CHECKPOINT_TAIL (so it can be built in parts). */
export function checkpointHead(documentClock: number, schemaJson: string): string {
	return `{"documentClock":${documentClock},"tombstoneHistoryStartsAtClock":${documentClock},"tombstones":{},"schema":${schemaJson},"documents":[`
}
export const CHECKPOINT_TAIL = ']}'

/** Records as the comma-separated entries of a snapshot's `documents`. */
export function documentsJson(records: readonly RawRecord[]): string {
	return records.map((r) => `{"state":${r.state},"lastChangedClock":${r.lastChangedClock}}`).join(',')
}

/** A change set's JSON; `schemaJson` only when the schema differs from the chain's previous version. */
export function changesJson(opts: {
	fromClock: number
	documentClock: number
	schemaJson?: string
	puts: readonly RawRecord[]
	removes: readonly string[]
}): string {
	const schema = opts.schemaJson === undefined ? '' : `,"schema":${opts.schemaJson}`
	return `{"kind":"changes","format":1,"fromClock":${opts.fromClock},"documentClock":${opts.documentClock}${schema},"puts":[${documentsJson(opts.puts)}],"removes":${JSON.stringify(opts.removes)}}`
}

export function manifestJson(objectKeys: readonly string[]): string {
	return JSON.stringify({ kind: 'chain', format: 1, versions: objectKeys })
}

const RecordSchema = z.looseObject({ id: z.string(), typeName: z.string() })
const ChangeSetSchema = z.object({
	kind: z.literal('changes'),
	format: z.literal(1),
	fromClock: z.number().int().nonnegative(),
	documentClock: z.number().int().nonnegative(),
	schema: z.looseObject({ schemaVersion: z.number() }).optional(),
	puts: z.array(z.object({ state: RecordSchema, lastChangedClock: z.number().int().nonnegative() })),
	removes: z.array(z.string()),
})
const ManifestSchema = z.object({ kind: z.literal('chain'), format: z.literal(1), versions: z.array(z.string()).min(1) })

export type HistoryObject = { kind: 'checkpoint'; snapshot: RoomSnapshot } | ChangeSet

/** Parses one history object: a change set, or a checkpoint (including versions written before chains). */
export function parseHistoryObject(json: string): HistoryObject {
	if (!json.startsWith('{"kind":"changes"')) return { kind: 'checkpoint', snapshot: parseRoomSnapshot(json) }
	const parsed = ChangeSetSchema.safeParse(JSON.parse(json))
	if (!parsed.success) throw new Error(`stored change set is malformed: ${parsed.error.issues[0]?.message}`)
	return parsed.data as unknown as ChangeSet
}

/** The `latest` object: a chain manifest, or (rooms last exported before chains) a whole snapshot. */
export function parseLatest(json: string): { kind: 'chain'; versions: string[] } | { kind: 'snapshot'; snapshot: RoomSnapshot } {
	if (json.startsWith('{"kind":"chain"')) {
		const parsed = ManifestSchema.safeParse(JSON.parse(json))
		if (!parsed.success) throw new Error(`stored chain manifest is malformed: ${parsed.error.issues[0]?.message}`)
		return parsed.data
	}
	return { kind: 'snapshot', snapshot: parseRoomSnapshot(json) }
}

export function materialize(snapshot: RoomSnapshot): Materialized {
	return {
		documentClock: snapshot.documentClock ?? snapshot.clock ?? 0,
		schema: snapshot.schema,
		records: new Map(snapshot.documents.map((d) => [d.state.id as string, d])),
	}
}

/** Applies a change set in place; it must start at the document's clock. */
export function applyChanges(doc: Materialized, changes: ChangeSet): void {
	if (changes.fromClock !== doc.documentClock) {
		throw new BrokenChainError(`change set from clock ${changes.fromClock} does not follow clock ${doc.documentClock}`)
	}
	for (const id of changes.removes) doc.records.delete(id)
	for (const entry of changes.puts) doc.records.set(entry.state.id as string, entry)
	doc.documentClock = changes.documentClock
	if (changes.schema !== undefined) doc.schema = changes.schema
}

/** Rebuilds a version from its chain (checkpoint first, then change sets in order). */
export function reconstruct(chain: readonly HistoryObject[]): Materialized {
	const [first, ...rest] = chain
	if (first?.kind !== 'checkpoint') throw new BrokenChainError('a chain must start with a checkpoint')
	const doc = materialize(first.snapshot)
	for (const obj of rest) {
		if (obj.kind !== 'changes') throw new BrokenChainError('a checkpoint inside a chain')
		applyChanges(doc, obj)
	}
	return doc
}

/** The rebuilt document as a room snapshot. Tombstone history starts at its clock: older clients resync in full. */
export function toRoomSnapshot(doc: Materialized): RoomSnapshot {
	const documents = [...doc.records.values()].sort((a, b) => byId(a.state.id, b.state.id))
	return {
		documentClock: doc.documentClock,
		tombstoneHistoryStartsAtClock: doc.documentClock,
		tombstones: {},
		schema: doc.schema as RoomSnapshot['schema'],
		documents,
	}
}

/** A document's records as stored texts, sorted by id, for writing it back as a checkpoint. */
export function rawRecords(doc: Materialized): RawRecord[] {
	return [...doc.records.values()]
		.map((d) => ({ id: d.state.id as string, state: JSON.stringify(d.state), lastChangedClock: d.lastChangedClock }))
		.sort((a, b) => byId(a.id, b.id))
}

/** What turns `from` into `to`: records whose state or clock differ, and ids gone. Used when retention re-links a chain. */
export function diffMaterialized(from: Materialized, to: Materialized): { puts: RawRecord[]; removes: string[] } {
	const puts: RawRecord[] = []
	for (const [id, entry] of to.records) {
		const before = from.records.get(id)
		const state = JSON.stringify(entry.state)
		if (!before || before.lastChangedClock !== entry.lastChangedClock || JSON.stringify(before.state) !== state) {
			puts.push({ id, state, lastChangedClock: entry.lastChangedClock })
		}
	}
	const removes = [...from.records.keys()].filter((id) => !to.records.has(id))
	return { puts: puts.sort((a, b) => byId(a.id, b.id)), removes: removes.sort(byId) }
}

/**
 * The document as a canonical string (records sorted by id, object keys sorted): two snapshots of the same
 * document compare equal whatever order they were written in.
 */
export function canonicalDocument(snapshot: Pick<RoomSnapshot, 'documents' | 'schema'> & { documentClock?: number }): string {
	const states = snapshot.documents.map((d) => d.state).sort((a, b) => byId(a.id, b.id))
	return JSON.stringify(sortKeys({ documentClock: snapshot.documentClock, schema: snapshot.schema, records: states }))
}

function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys)
	if (typeof value !== 'object' || value === null) return value
	const entries = Object.entries(value).sort(([a], [b]) => byId(a, b))
	return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]))
}
