import { z } from 'zod'
import type { FileRow, FileStateRow, UserRow } from '../db/schema'
import { formatIssues, MAX_FILE_NAME_CHARS } from '../files/schemas'
import { isValidId } from '../storage/keys'
import { toWireRow, WireChangeSchema, WireFileRowSchema, WireFileStateRowSchema, WireUserRowSchema } from './wireRows'

export {
	toWireChange,
	toWireRow,
	WireChangeSchema,
	type WireChange,
	type WireFileRow,
	type WireFileStateRow,
	type WireRow,
	type WireTable,
	type WireUserRow,
} from './wireRows'

// The user socket's messages (README "User data socket and replication"), JSON over the socket at /app/:userId/connect.
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024
export const MAX_MUTATION_ID_CHARS = 64
export const MAX_USER_NAME_CHARS = 128
/** `user.preferences` as JSON text (UTF-8). */
export const MAX_PREFERENCES_BYTES = 16 * 1024

const CONTROL_CHARS_RE = /^[^\u0000-\u001f\u007f]*$/

const IdSchema = z.string().refine(isValidId, 'must match ^[A-Za-z0-9_-]{1,128}$')
const MutationIdSchema = z.string().min(1).max(MAX_MUTATION_ID_CHARS)
// Same rules as the files API's name (src/files/schemas.ts keeps its schema private).
const FileNameSchema = z.string().trim().max(MAX_FILE_NAME_CHARS).regex(CONTROL_CHARS_RE, 'name must not contain control characters')
const UserNameSchema = z.string().trim().max(MAX_USER_NAME_CHARS).regex(CONTROL_CHARS_RE, 'name must not contain control characters')
const ColorSchema = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'color must be a hex colour such as #ff802b')
const PreferencesSchema = z
	.record(z.string(), z.json())
	.refine((p) => utf8Bytes(JSON.stringify(p)) <= MAX_PREFERENCES_BYTES, `preferences must be at most ${MAX_PREFERENCES_BYTES} bytes of JSON`)

const atLeastOne = (...fields: string[]) => (args: Record<string, unknown>) => fields.some((field) => args[field] !== undefined)

/**
 * A client may propose the new file's id (so it can open the room before the commit arrives), but only a
 * UUID: ids are unguessable, so nobody can claim one another client is about to use. runMutation refuses
 * ids of removed files.
 */
const ProposedFileIdSchema = z.uuid('must be a UUID such as crypto.randomUUID() makes').transform((id) => id.toLowerCase())
export const CreateFileArgsSchema = z.strictObject({ id: ProposedFileIdSchema.optional(), name: FileNameSchema.optional() })
/** Publishing is not a socket mutation: it snapshots the room to R2 (PATCH /app/file/:fileId does it). */
export const UpdateFileArgsSchema = z
	.strictObject({
		id: IdSchema,
		name: FileNameSchema.optional(),
		shared: z.boolean().optional(),
		sharedLinkType: z.enum(['view', 'edit']).optional(),
	})
	.refine(atLeastOne('name', 'shared', 'sharedLinkType'), 'nothing to update: send at least one of name, shared, sharedLinkType')
export const DeleteFileArgsSchema = z.strictObject({ id: IdSchema })
export const PinFileArgsSchema = z.strictObject({ fileId: IdSchema, isPinned: z.boolean() })
/** `preferences` replaces the stored object as a whole. */
export const UpdateUserArgsSchema = z
	.strictObject({ name: UserNameSchema.optional(), color: ColorSchema.optional(), preferences: PreferencesSchema.optional() })
	.refine(atLeastOne('name', 'color', 'preferences'), 'nothing to update: send at least one of name, color, preferences')
export const RecordVisitArgsSchema = z.strictObject({ fileId: IdSchema })

const mutate = <N extends string, A extends z.ZodType>(name: N, args: A) =>
	z.strictObject({ type: z.literal('mutate'), mutationId: MutationIdSchema, name: z.literal(name), args })

export const MutateMessageSchema = z.discriminatedUnion('name', [
	mutate('createFile', CreateFileArgsSchema),
	mutate('updateFile', UpdateFileArgsSchema),
	mutate('deleteFile', DeleteFileArgsSchema),
	mutate('pinFile', PinFileArgsSchema),
	mutate('updateUser', UpdateUserArgsSchema),
	mutate('recordVisit', RecordVisitArgsSchema),
])
export type MutateMessage = z.infer<typeof MutateMessageSchema>
export type MutationName = MutateMessage['name']
type NameAndArgs<M> = M extends MutateMessage ? { name: M['name']; args: M['args'] } : never
/** What runMutation takes: a MutateMessage without its envelope (a MutateMessage is one too). */
export type Mutation = NameAndArgs<MutateMessage>

export const ClientMessageSchema = MutateMessageSchema
export type ClientMessage = z.infer<typeof ClientMessageSchema>

export type ParseClientMessageResult =
	| { ok: true; message: ClientMessage }
	/** `mutationId` when the message carried a usable one, so the host can answer with a `reject`. */
	| { ok: false; error: string; mutationId?: string }

export function parseClientMessage(text: string): ParseClientMessageResult {
	// Every UTF-16 unit is at least one UTF-8 byte, so a long string is refused before it is encoded.
	if (text.length > MAX_CLIENT_MESSAGE_BYTES || utf8Bytes(text) > MAX_CLIENT_MESSAGE_BYTES) {
		return { ok: false, error: `message is larger than ${MAX_CLIENT_MESSAGE_BYTES} bytes` }
	}
	let value: unknown
	try {
		value = JSON.parse(text)
	} catch {
		return { ok: false, error: 'message is not valid JSON' }
	}
	const parsed = ClientMessageSchema.safeParse(value)
	if (parsed.success) return { ok: true, message: parsed.data }
	const mutationId = MutationIdSchema.safeParse((value as { mutationId?: unknown } | null)?.mutationId)
	return {
		ok: false,
		error: `invalid message: ${formatIssues(parsed.error.issues)}`,
		...(mutationId.success ? { mutationId: mutationId.data } : {}),
	}
}

// Server → client. Rows are JSON (src/user/wireRows.ts).
export const InitMessageSchema = z.strictObject({
	type: z.literal('init'),
	user: WireUserRowSchema,
	files: z.array(WireFileRowSchema),
	fileStates: z.array(WireFileStateRowSchema),
	mutationNumber: z.number().int().nonnegative(),
})
export const ChangesMessageSchema = z.strictObject({ type: z.literal('changes'), changes: z.array(WireChangeSchema).min(1) })
export const CommitMessageSchema = z.strictObject({ type: z.literal('commit'), mutationIds: z.array(MutationIdSchema).min(1) })
export const RejectMessageSchema = z.strictObject({
	type: z.literal('reject'),
	mutationId: MutationIdSchema,
	code: z.string().min(1),
	message: z.string(),
})
export const ResyncMessageSchema = z.strictObject({ type: z.literal('resync') })

export const ServerMessageSchema = z.discriminatedUnion('type', [
	InitMessageSchema,
	ChangesMessageSchema,
	CommitMessageSchema,
	RejectMessageSchema,
	ResyncMessageSchema,
])
export type InitMessage = z.infer<typeof InitMessageSchema>
export type ServerMessage = z.infer<typeof ServerMessageSchema>

/** For clients and tests: a message from the server, validated. */
export function parseServerMessage(text: string): { ok: true; message: ServerMessage } | { ok: false; error: string } {
	let value: unknown
	try {
		value = JSON.parse(text)
	} catch {
		return { ok: false, error: 'message is not valid JSON' }
	}
	const parsed = ServerMessageSchema.safeParse(value)
	return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: formatIssues(parsed.error.issues) }
}

export function toInitMessage(data: { user: UserRow; files: FileRow[]; fileStates: FileStateRow[]; mutationNumber: number }): InitMessage {
	return {
		type: 'init',
		user: toWireRow('user', data.user),
		files: data.files.map((f) => toWireRow('file', f)),
		fileStates: data.fileStates.map((s) => toWireRow('file_state', s)),
		mutationNumber: data.mutationNumber,
	}
}

/** `user_mutation_number.mutationNumber` (a bigint column, a string from `pg`) as a JSON number. */
export function toWireMutationNumber(value: string | number | bigint): number {
	const n = typeof value === 'string' && !/^\d+$/.test(value) ? NaN : Number(value)
	if (!Number.isSafeInteger(n) || n < 0) throw new Error(`mutation number out of range: ${value}`)
	return n
}

function utf8Bytes(text: string): number {
	return new TextEncoder().encode(text).byteLength
}
