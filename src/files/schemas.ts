import { z } from 'zod'
import { ApiError, ErrorCode } from '../http/errors'
import { readBodyCapped } from '../http/readBodyCapped'

/** Body caps with their units. A .tldr file can inline its images as data URLs, hence the larger one. */
export const MAX_CREATE_FILE_BODY_BYTES = 10 * 1024 * 1024
export const MAX_PATCH_FILE_BODY_BYTES = 16 * 1024
export const MAX_FILE_NAME_CHARS = 256
/** A history version is named by its export time, e.g. 2026-11-23T09:05:01.002Z. */
export const VERSION_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
export const MAX_RECORDS_BODY_BYTES = 4 * 1024 * 1024
export const MAX_RECORDS_PER_CALL = 5_000

/** POST …/records: server-side edits; `expectedClock` makes them conditional (409 on mismatch). */
export const RecordsBodySchema = z
	.strictObject({
		put: z.array(z.looseObject({ id: z.string(), typeName: z.string() })).max(MAX_RECORDS_PER_CALL).default([]),
		remove: z.array(z.string().max(256)).max(MAX_RECORDS_PER_CALL).default([]),
		expectedClock: z.number().int().nonnegative().optional(),
	})
	.refine((b) => b.put.length + b.remove.length > 0, 'nothing to do: send put and/or remove')
export type RecordsBody = z.infer<typeof RecordsBodySchema>

/** POST /snapshots: freeze a room you can read under a new public slug. */
export const CreateSnapshotBodySchema = z
	.strictObject({
		fileId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
		roomId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
	})
	.refine((b) => (b.fileId === undefined) !== (b.roomId === undefined), 'send exactly one of fileId, roomId')

/** How many validation problems one 400 lists. */
const MAX_ISSUES_REPORTED = 5

const FileNameSchema = z
	.string()
	.trim()
	.max(MAX_FILE_NAME_CHARS, `name must be at most ${MAX_FILE_NAME_CHARS} characters`)
	.regex(/^[^\u0000-\u001f\u007f]*$/, 'name must not contain control characters')

/**
 * POST /app/files. `snapshot` is a .tldr file's JSON or a tldraw snapshot; only its outer shape is
 * checked here, its records by `parseTldrawImport` (a 400 INVALID_SNAPSHOT names the bad record).
 */
export const CreateFileBodySchema = z
	.strictObject({
		name: FileNameSchema.optional(),
		snapshot: z.record(z.string(), z.unknown(), 'snapshot must be a JSON object').optional(),
		/** Copy another file the caller can read, at its current state or at `version` (see history). */
		duplicateOf: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'duplicateOf must be a file id').optional(),
		version: z.string().regex(VERSION_RE, 'version must be a history version (an ISO time)').optional(),
	})
	.refine((b) => !(b.snapshot && b.duplicateOf), 'send either snapshot or duplicateOf, not both')
	.refine((b) => !b.version || b.duplicateOf, 'version only goes with duplicateOf')
export type CreateFileBody = z.infer<typeof CreateFileBodySchema>

/**
 * POST /app/files takes either `{ name?, snapshot | duplicateOf, version? }` or a raw .tldr file as the
 * whole body (what tldraw's "Save a copy" writes, recognised by `tldrawFileFormatVersion`); the name of a
 * raw file comes from `?name=`, else from the document. 400 names the bad field.
 */
export function parseCreateFileBody(value: unknown, query: URLSearchParams): CreateFileBody {
	const queryName = query.get('name')
	const name = queryName === null ? undefined : checked(FileNameSchema.safeParse(queryName), 'name')
	if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'tldrawFileFormatVersion' in value) {
		return { name, snapshot: value as Record<string, unknown> }
	}
	const body = checked(CreateFileBodySchema.safeParse(value), 'request body')
	return { ...body, name: body.name ?? name }
}

function checked<T>(result: z.ZodSafeParseResult<T>, what: string): T {
	if (!result.success) throw new ApiError(400, ErrorCode.BAD_REQUEST, `invalid ${what}: ${formatIssues(result.error.issues)}`)
	return result.data
}

/** PATCH /app/file/:fileId: rename, share, publish. At least one field. */
export const PatchFileBodySchema = z
	.strictObject({
		name: FileNameSchema.optional(),
		shared: z.boolean().optional(),
		sharedLinkType: z.enum(['view', 'edit']).optional(),
		published: z.boolean().optional(),
	})
	.refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to update: send at least one of name, shared, sharedLinkType, published')
export type PatchFileBody = z.infer<typeof PatchFileBodySchema>

const JSON_CONTENT_TYPE_RE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

/**
 * Reads a JSON body of at most `maxBytes` and validates it with `schema`.
 * 413 when it is larger (by Content-Length up front, or while streaming when that is absent or wrong),
 * 415 when a non-empty body is not `application/json`, 400 for bad UTF-8, bad JSON or a schema
 * mismatch (naming the fields). An empty body is validated as `{}`, so "no options" needs no body.
 */
export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S, maxBytes: number): Promise<z.output<S>> {
	const declared = request.headers.get('Content-Length')
	if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
		throw new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${maxBytes} bytes`)
	}
	const bytes = await readBodyCapped(request, maxBytes, () => new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${maxBytes} bytes`))
	const text = decodeUtf8(bytes)
	let value: unknown = {}
	if (text === null || text.trim() !== '') {
		if (!JSON_CONTENT_TYPE_RE.test(request.headers.get('Content-Type') ?? '')) {
			throw new ApiError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'request body must be JSON (Content-Type: application/json)')
		}
		if (text === null) throw new ApiError(400, ErrorCode.BAD_REQUEST, 'request body is not valid UTF-8')
		try {
			value = JSON.parse(text)
		} catch (err) {
			throw new ApiError(400, ErrorCode.BAD_REQUEST, `request body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`)
		}
	}
	const parsed = schema.safeParse(value)
	if (!parsed.success) throw new ApiError(400, ErrorCode.BAD_REQUEST, `invalid request body: ${formatIssues(parsed.error.issues)}`)
	return parsed.data
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
	const shown = issues.slice(0, MAX_ISSUES_REPORTED).map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
	const more = issues.length - shown.length
	return shown.join('; ') + (more > 0 ? ` (and ${more} more)` : '')
}

/** null when the bytes are not UTF-8. */
function decodeUtf8(bytes: Uint8Array): string | null {
	try {
		return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
	} catch {
		return null
	}
}

