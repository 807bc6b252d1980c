/**
 * The shape of every message a tldraw sync client may send (`TLSocketClientSentEvent` in
 * @tldraw/sync-core 5.4, protocol version 8): `connect`, `push`, `ping`. Checked before a message reaches
 * TLSocketRoom, which trusts its input (`{"type":"push"}` with no clock used to be answered `commit`).
 *
 * Only the protocol's shape is checked here; records inside a `put` are validated against the document
 * schema by the room itself (INVALID_RECORD). The check runs once per assembled message on the room's
 * thread (SessionGate), so it is a hand-written walk: linear in the message, no copy, never looking inside
 * record values. (A zod schema did the same job at ~12 % of the room's CPU under a stream of moves,
 * bench/REPORT.md §7.) Unknown extra keys are ignored, as TLSocketRoom ignores them.
 */

type ValueOp = ['put', unknown] | ['append', unknown[] | string, number] | ['patch', ObjectDiff] | ['delete']
export interface ObjectDiff {
	[key: string]: ValueOp
}

/** A whole record: the room validates its fields against the document schema. */
interface RecordLike {
	id: string
	typeName: string
	[key: string]: unknown
}

type RecordOp = ['put', RecordLike] | ['patch', ObjectDiff] | ['remove']

export interface ConnectMessage {
	type: 'connect'
	connectRequestId: string
	lastServerClock: number
	protocolVersion: number
	/** SerializedSchema v1 or v2; the room checks it against its own and answers CLIENT_TOO_OLD etc. */
	schema: { schemaVersion: number; [key: string]: unknown }
}

export interface PushMessage {
	type: 'push'
	clientClock: number
	diff?: Record<string, RecordOp>
	presence?: ['patch', ObjectDiff] | ['put', RecordLike]
}

export type ClientMessage = ConnectMessage | PushMessage | { type: 'ping' }
export type ClientMessageType = ClientMessage['type']

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; what: string }

/** Patches nest one level per object; tldraw's records are a few levels deep. Deeper is refused, not recursed. */
export const MAX_DIFF_DEPTH = 64

/** Thrown inside the walk, caught by parseClientMessage: the first problem, with the path to it. */
class Refused {
	constructor(readonly what: string) {}
}

function refuse(path: string, expected: string): never {
	throw new Refused(`${path}: expected ${expected}`)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isInt = (v: unknown): v is number => Number.isSafeInteger(v)
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0

function checkRecord(v: unknown, path: string) {
	if (!isObject(v) || !isNonEmptyString(v.id) || !isNonEmptyString(v.typeName)) refuse(path, 'a record with an id and a typeName')
}

function checkObjectDiff(v: unknown, path: string, depth: number) {
	if (depth > MAX_DIFF_DEPTH) refuse(path, `patches nested at most ${MAX_DIFF_DEPTH} deep`)
	if (!isObject(v)) refuse(path, 'an object diff')
	for (const key of Object.keys(v)) checkValueOp(v[key], `${path}.${key}`, depth + 1)
}

function checkValueOp(op: unknown, path: string, depth: number) {
	if (Array.isArray(op)) {
		if (op[0] === 'put' && op.length === 2) return
		if (op[0] === 'delete' && op.length === 1) return
		if (op[0] === 'append' && op.length === 3 && (typeof op[1] === 'string' || Array.isArray(op[1])) && isInt(op[2]) && op[2] >= 0) return
		if (op[0] === 'patch' && op.length === 2) return checkObjectDiff(op[1], path, depth)
	}
	refuse(path, '["put",value]|["append",items,offset]|["patch",diff]|["delete"]')
}

function checkRecordOp(op: unknown, path: string) {
	if (Array.isArray(op)) {
		if (op[0] === 'put' && op.length === 2) return checkRecord(op[1], path)
		if (op[0] === 'patch' && op.length === 2) return checkObjectDiff(op[1], path, 1)
		if (op[0] === 'remove' && op.length === 1) return
	}
	refuse(path, '["put",record]|["patch",diff]|["remove"]')
}

function checkConnect(m: Record<string, unknown>) {
	const id = m.connectRequestId
	if (!isNonEmptyString(id) || id.length > 256) refuse('connectRequestId', 'a string of 1 to 256 characters')
	if (!isInt(m.lastServerClock) || m.lastServerClock < -1) refuse('lastServerClock', 'an integer ≥ -1')
	if (!isInt(m.protocolVersion)) refuse('protocolVersion', 'an integer')
	if (!isObject(m.schema) || !isInt(m.schema.schemaVersion)) refuse('schema', 'a serialized schema with a schemaVersion')
}

function checkPush(m: Record<string, unknown>) {
	if (!isInt(m.clientClock) || m.clientClock < 0) refuse('clientClock', 'a non-negative integer')
	if (m.diff !== undefined) {
		if (!isObject(m.diff)) refuse('diff', 'an object of record ops')
		for (const id of Object.keys(m.diff)) checkRecordOp(m.diff[id], `diff.${id}`)
	}
	if (m.presence !== undefined) {
		const p = m.presence
		if (!Array.isArray(p) || p.length !== 2) refuse('presence', '["patch",diff]|["put",record]')
		else if (p[0] === 'patch') checkObjectDiff(p[1], 'presence', 1)
		else if (p[0] === 'put') checkRecord(p[1], 'presence')
		else refuse('presence', '["patch",diff]|["put",record]')
	}
	// TLSyncClient never sends a push without either (it returns early instead).
	if (m.diff === undefined && m.presence === undefined) throw new Refused('a push needs a diff or a presence')
}

/** Validates a parsed JSON value; `what` names the first problem, short enough for a close reason. */
export function parseClientMessage(value: unknown): ParsedClientMessage {
	try {
		if (isObject(value)) {
			if (value.type === 'push') checkPush(value)
			else if (value.type === 'connect') checkConnect(value)
			else if (value.type !== 'ping') throw new Refused('type: expected {"type":"connect"|"push"|"ping",…}')
			return { ok: true, message: value as unknown as ClientMessage }
		}
		return { ok: false, what: 'type: expected {"type":"connect"|"push"|"ping",…}' }
	} catch (err) {
		if (err instanceof Refused) return { ok: false, what: err.what }
		throw err
	}
}
