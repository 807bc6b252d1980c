import { z } from 'zod'

/**
 * Rows as the user socket sends them: JSON, timestamps as ISO strings, bigint columns as numbers (as decimal
 * strings beyond 2^53), internal columns (file.createSource) left out. Every replicated table has a shape,
 * since the host forwards whatever the replicator routes to the user.
 */
const TimestampSchema = z.iso.datetime()
const BigIntSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)])

export const WireUserRowSchema = z.strictObject({
	id: z.string(),
	name: z.string(),
	email: z.string(),
	avatar: z.string(),
	color: z.string(),
	preferences: z.record(z.string(), z.unknown()),
	createdAt: TimestampSchema,
	updatedAt: TimestampSchema,
})
export const WireFileRowSchema = z.strictObject({
	id: z.string(),
	ownerId: z.string(),
	name: z.string(),
	shared: z.boolean(),
	sharedLinkType: z.enum(['view', 'edit']),
	published: z.boolean(),
	publishedSlug: z.string().nullable(),
	lastPublished: TimestampSchema.nullable(),
	isDeleted: z.boolean(),
	thumbnail: z.string(),
	createdAt: TimestampSchema,
	updatedAt: TimestampSchema,
})
export const WireFileStateRowSchema = z.strictObject({
	userId: z.string(),
	fileId: z.string(),
	firstVisitAt: TimestampSchema.nullable(),
	lastVisitAt: TimestampSchema.nullable(),
	lastEditAt: TimestampSchema.nullable(),
	isPinned: z.boolean(),
})
export const WireAssetRowSchema = z.strictObject({
	objectName: z.string(),
	fileId: z.string().nullable(),
	userId: z.string().nullable(),
	size: BigIntSchema,
	contentType: z.string(),
	uploadedAt: TimestampSchema,
})
export const WireUserMutationNumberRowSchema = z.strictObject({ userId: z.string(), mutationNumber: BigIntSchema })

export type WireUserRow = z.infer<typeof WireUserRowSchema>
export type WireFileRow = z.infer<typeof WireFileRowSchema>
export type WireFileStateRow = z.infer<typeof WireFileStateRowSchema>
export type WireAssetRow = z.infer<typeof WireAssetRowSchema>
export type WireUserMutationNumberRow = z.infer<typeof WireUserMutationNumberRowSchema>

const ROW_SCHEMAS = {
	user: WireUserRowSchema,
	file: WireFileRowSchema,
	file_state: WireFileStateRowSchema,
	asset: WireAssetRowSchema,
	user_mutation_number: WireUserMutationNumberRowSchema,
} as const
export type WireTable = keyof typeof ROW_SCHEMAS
export type WireRow<T extends WireTable> = z.infer<(typeof ROW_SCHEMAS)[T]>

/** Primary key columns: all a delete is guaranteed to carry (tables without REPLICA IDENTITY FULL). */
export const WIRE_KEY_COLUMNS = {
	user: ['id'],
	file: ['id'],
	file_state: ['userId', 'fileId'],
	asset: ['objectName'],
	user_mutation_number: ['userId'],
} as const satisfies { [T in WireTable]: ReadonlyArray<keyof WireRow<T>> }

const TIMESTAMP_COLUMNS = new Set(['createdAt', 'updatedAt', 'lastPublished', 'firstVisitAt', 'lastVisitAt', 'lastEditAt', 'uploadedAt'])
const BIGINT_COLUMNS = new Set(['size', 'mutationNumber'])

/**
 * A Postgres row (Dates, bigint strings) or a replicated JSON row (ISO strings) as the client gets it.
 * Only the columns present are converted: a delete's key-only row, or an update missing an unchanged
 * TOASTed value, comes out just as partial.
 */
export function toWireRow<T extends WireTable>(table: T, row: Readonly<Record<string, unknown>>): WireRow<T> {
	const out: Record<string, unknown> = {}
	for (const column of Object.keys(ROW_SCHEMAS[table].shape)) {
		const value = row[column]
		if (value === undefined) continue
		out[column] = value === null ? null : TIMESTAMP_COLUMNS.has(column) ? toIsoTimestamp(value) : BIGINT_COLUMNS.has(column) ? toWireBigInt(value) : value
	}
	return out as WireRow<T>
}

/** Change rows: an insert is a whole row; an update or delete has at least the key (clients merge updates). */
const changeSchemas = <T extends WireTable>(table: T) => {
	const full = ROW_SCHEMAS[table] as z.ZodObject
	const keyMask = Object.fromEntries(WIRE_KEY_COLUMNS[table].map((k) => [k, true]))
	const keyed = full.partial().required(keyMask as never)
	return [
		z.strictObject({ table: z.literal(table), op: z.literal('insert'), row: full }),
		z.strictObject({ table: z.literal(table), op: z.enum(['update', 'delete']), row: keyed }),
	] as const
}

export const WireChangeSchema = z.union([
	...changeSchemas('user'),
	...changeSchemas('file'),
	...changeSchemas('file_state'),
	...changeSchemas('asset'),
	...changeSchemas('user_mutation_number'),
])
export type WireChange =
	| { [T in WireTable]: { table: T; op: 'insert'; row: WireRow<T> } }[WireTable]
	| { [T in WireTable]: { table: T; op: 'update' | 'delete'; row: Partial<WireRow<T>> } }[WireTable]

/** A replicated change for the socket; a delete keeps only the key (all the client needs). */
export function toWireChange(change: { table: WireTable; op: 'insert' | 'update' | 'delete'; row: Readonly<Record<string, unknown>> }): WireChange {
	const row = toWireRow(change.table, change.row) as Record<string, unknown>
	if (change.op !== 'delete') return { table: change.table, op: change.op, row } as WireChange
	const key = Object.fromEntries(WIRE_KEY_COLUMNS[change.table].map((k) => [k, row[k]]))
	return { table: change.table, op: 'delete', row: key } as WireChange
}

function toIsoTimestamp(value: unknown): string {
	const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null
	if (!date || Number.isNaN(date.getTime())) throw new Error(`not a timestamp: ${JSON.stringify(value)}`)
	return date.toISOString()
}

/** A safe integer as a number, anything larger as its decimal string (JSON numbers lose precision past 2^53). */
function toWireBigInt(value: unknown): number | string {
	const text = typeof value === 'bigint' || typeof value === 'number' ? String(value) : value
	if (typeof text !== 'string' || !/^\d+$/.test(text)) throw new Error(`not a non-negative integer: ${JSON.stringify(value)}`)
	const n = Number(text)
	return Number.isSafeInteger(n) ? n : text
}
