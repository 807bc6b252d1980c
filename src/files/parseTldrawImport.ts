import type { SerializedSchema, StoreSchema, UnknownRecord } from '@tldraw/store'
import type { RoomSnapshot } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { schema as deploymentSchema } from '#schema'
import { z } from 'zod'

/** The .tldr file format version tldraw writes today; a higher one comes from a newer tldraw. */
export const TLDRAW_FILE_FORMAT_VERSION = 1

/** What an import becomes: a room snapshot at clock 0, as TLSocketRoom makes of a store snapshot. */
export type ImportedSnapshot = RoomSnapshot & {
	clock: number
	documentClock: number
	documents: Array<{ state: TLRecord; lastChangedClock: number }>
	schema: SerializedSchema
	tombstones: Record<string, number>
}

export type ParseImportResult = { ok: true; snapshot: ImportedSnapshot; droppedRecords: number } | { ok: false; error: string }


const RecordShape = z.looseObject({ id: z.string().min(1).max(512), typeName: z.string().min(1).max(128) })
type RawRecord = z.infer<typeof RecordShape>

const SerializedSchemaShape = z.union(
	[
		z.looseObject({ schemaVersion: z.literal(2), sequences: z.record(z.string(), z.number().int().nonnegative()) }),
		z.looseObject({ schemaVersion: z.literal(1), storeVersion: z.number().int(), recordVersions: z.record(z.string(), z.looseObject({ version: z.number().int() })) }),
	],
	'schema must be a tldraw serialized schema ({ schemaVersion: 2, sequences } or version 1)',
)

const TldrFileShape = z.looseObject({
	tldrawFileFormatVersion: z.number().int().positive(),
	schema: SerializedSchemaShape,
	records: z.array(RecordShape),
})
const StoreSnapshotShape = z.looseObject({ store: z.record(z.string(), RecordShape), schema: SerializedSchemaShape })
const EditorSnapshotShape = z.looseObject({ document: StoreSnapshotShape })
const RoomSnapshotShape = z.looseObject({
	documents: z.array(z.looseObject({ state: RecordShape })),
	schema: SerializedSchemaShape,
})

const FORMATS_HINT =
	'expected a .tldr file ({ tldrawFileFormatVersion, schema, records }) or a tldraw snapshot ({ store, schema }, { document: { store, schema } } or { documents, schema })'

/**
 * Turns a .tldr file or a tldraw snapshot (store, editor or room snapshot; a string or parsed JSON) into a
 * room snapshot of the current schema: records are migrated from the file's schema, then validated.
 * Session and presence records (camera, instance, pointer…) are dropped; they never belong in a room.
 * Never throws: the error is a sentence a user can act on.
 */
export function parseTldrawImport(input: unknown, schema: StoreSchema<TLRecord, unknown> = deploymentSchema): ParseImportResult {
	let json = input
	if (typeof input === 'string') {
		try {
			json = JSON.parse(input)
		} catch {
			return fail('the file is not JSON')
		}
	}
	if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail(`not a tldraw file: ${FORMATS_HINT}`)

	const extracted = extractRecords(json)
	if (!extracted.ok) return extracted
	const { records, persistedSchema } = extracted

	const store: Record<string, RawRecord> = {}
	for (const record of records) {
		if (Object.hasOwn(store, record.id)) return fail(`record "${record.id}" appears twice`)
		store[record.id] = record
	}

	const newer = findNewerSequence(persistedSchema, schema)
	if (newer) return fail(`the file was saved by a newer version of tldraw (${newer}); update this server to open it`)
	const migrations = schema.getMigrationsSince(persistedSchema)
	if (!migrations.ok) return fail(`the file's schema is incompatible with this server's tldraw (${migrations.error})`)
	const migrated = schema.migrateStoreSnapshot({ store: store as never, schema: persistedSchema })
	if (migrated.type === 'error') return fail(`the file's records could not be migrated to the current tldraw schema (${migrated.reason})`)

	const documents: ImportedSnapshot['documents'] = []
	let droppedRecords = 0
	for (const record of Object.values(migrated.value) as UnknownRecord[]) {
		const type = Object.hasOwn(schema.types, record.typeName) ? schema.types[record.typeName as TLRecord['typeName']] : undefined
		if (!type) return fail(`record "${record.id}" has an unknown type "${record.typeName}"`)
		if (type.scope !== 'document') {
			droppedRecords++
			continue
		}
		try {
			documents.push({ state: type.validate(record) as TLRecord, lastChangedClock: 0 })
		} catch (err) {
			return fail(`record "${record.id}" is invalid: ${err instanceof Error ? err.message : String(err)}`)
		}
	}
	return {
		ok: true,
		droppedRecords,
		snapshot: { clock: 0, documentClock: 0, documents, schema: schema.serialize(), tombstones: {} },
	}
}

type Extracted = { ok: true; records: RawRecord[]; persistedSchema: SerializedSchema } | { ok: false; error: string }

function extractRecords(json: object): Extracted {
	if ('tldrawFileFormatVersion' in json) {
		const file = TldrFileShape.safeParse(json)
		if (!file.success) return fail(`not a valid .tldr file: ${describe(file.error)}`)
		if (file.data.tldrawFileFormatVersion > TLDRAW_FILE_FORMAT_VERSION) {
			return fail(`the .tldr file format ${file.data.tldrawFileFormatVersion} is newer than this server supports (${TLDRAW_FILE_FORMAT_VERSION})`)
		}
		return { ok: true, records: file.data.records, persistedSchema: file.data.schema as SerializedSchema }
	}
	if ('documents' in json) {
		const room = RoomSnapshotShape.safeParse(json)
		if (!room.success) return fail(`not a valid room snapshot: ${describe(room.error)}`)
		return { ok: true, records: room.data.documents.map((d) => d.state), persistedSchema: room.data.schema as SerializedSchema }
	}
	const storeSnapshot = 'document' in json ? EditorSnapshotShape.safeParse(json) : 'store' in json ? StoreSnapshotShape.safeParse(json) : null
	if (!storeSnapshot) return fail(`not a tldraw file: ${FORMATS_HINT}`)
	if (!storeSnapshot.success) return fail(`not a valid tldraw snapshot: ${describe(storeSnapshot.error)}`)
	const snap = 'document' in storeSnapshot.data ? (storeSnapshot.data.document as z.infer<typeof StoreSnapshotShape>) : storeSnapshot.data
	for (const [key, record] of Object.entries(snap.store)) {
		if (key !== record.id) return fail(`store key "${key}" does not match its record's id "${record.id}"`)
	}
	return { ok: true, records: Object.values(snap.store), persistedSchema: snap.schema as SerializedSchema }
}

/** Names a migration sequence the file has a later version of than this server knows. */
function findNewerSequence(persisted: SerializedSchema, schema: StoreSchema<TLRecord, unknown>): string | null {
	if (persisted.schemaVersion !== 2) return null
	const ours = schema.serialize().sequences
	for (const [sequenceId, version] of Object.entries(persisted.sequences)) {
		const known = ours[sequenceId]
		if (known !== undefined && version > known) return `${sequenceId} version ${version} > ${known}`
	}
	return null
}

function describe(error: z.ZodError): string {
	const issue = error.issues[0]
	if (!issue) return 'unknown problem'
	return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message
}

function fail(error: string): { ok: false; error: string } {
	return { ok: false, error }
}
