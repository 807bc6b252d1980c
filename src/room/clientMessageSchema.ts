import { z } from 'zod'

/**
 * The shape of every message a tldraw sync client may send (`TLSocketClientSentEvent` in
 * @tldraw/sync-core 5.4, protocol version 8): `connect`, `push`, `ping`. Checked before a message reaches
 * TLSocketRoom, which trusts its input (`{"type":"push"}` with no clock used to be answered `commit`).
 *
 * Only the protocol's shape is checked here; records inside a `put` are validated against the document
 * schema by the room itself (INVALID_RECORD). The walk is linear in the message and never looks inside
 * record values, so it stays cheap on the per-message path (see SessionGate, which calls it once per
 * assembled message).
 */

type ValueOp = ['put', unknown] | ['append', unknown[] | string, number] | ['patch', ObjectDiff] | ['delete']
interface ObjectDiff {
	[key: string]: ValueOp
}

const ObjectDiffSchema: z.ZodType<ObjectDiff> = z.lazy(() => z.record(z.string(), ValueOpSchema))
const ValueOpSchema: z.ZodType<ValueOp> = z.union([
	z.tuple([z.literal('put'), z.unknown()]),
	z.tuple([z.literal('append'), z.union([z.string(), z.array(z.unknown())]), z.number().int().nonnegative()]),
	z.tuple([z.literal('patch'), ObjectDiffSchema]),
	z.tuple([z.literal('delete')]),
])

/** A whole record: the room validates its fields against the document schema. */
const RecordSchema = z.looseObject({ id: z.string().min(1), typeName: z.string().min(1) })

const RecordOpSchema = z.union([
	z.tuple([z.literal('put'), RecordSchema]),
	z.tuple([z.literal('patch'), ObjectDiffSchema]),
	z.tuple([z.literal('remove')]),
])

const ConnectSchema = z.object({
	type: z.literal('connect'),
	connectRequestId: z.string().min(1).max(256),
	lastServerClock: z.number().int().min(-1),
	protocolVersion: z.number().int(),
	// SerializedSchema v1 or v2; the room checks it against its own and answers CLIENT_TOO_OLD etc.
	schema: z.looseObject({ schemaVersion: z.number().int() }),
})

const PushSchema = z
	.object({
		type: z.literal('push'),
		clientClock: z.number().int().nonnegative(),
		diff: z.record(z.string(), RecordOpSchema).optional(),
		presence: z.union([z.tuple([z.literal('patch'), ObjectDiffSchema]), z.tuple([z.literal('put'), RecordSchema])]).optional(),
	})
	// TLSyncClient never sends a push without either (it returns early instead).
	.refine((p) => p.diff !== undefined || p.presence !== undefined, 'a push needs a diff or a presence')

const PingSchema = z.object({ type: z.literal('ping') })

export const ClientMessageSchema = z.discriminatedUnion('type', [ConnectSchema, PushSchema, PingSchema])
export type ClientMessage = z.infer<typeof ClientMessageSchema>
export type ClientMessageType = ClientMessage['type']

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; what: string }

/** Validates a parsed JSON value; `what` names the first problem, short enough for a close reason. */
export function parseClientMessage(value: unknown): ParsedClientMessage {
	const parsed = ClientMessageSchema.safeParse(value)
	if (parsed.success) return { ok: true, message: parsed.data }
	const issue = parsed.error.issues[0]!
	const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : ''
	if (issue.code === 'invalid_union' && issue.path.length === 0) return { ok: false, what: 'expected {"type":"connect"|"push"|"ping",…}' }
	return { ok: false, what: `${where}${issue.message}` }
}
