import type { TLRecord } from '@tldraw/tlschema'
import { schema } from '../../schema/index.ts'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../src/http/errors'
import { parseTldrawImport, type ParseImportResult } from '../../src/files/parseTldrawImport'
import { CreateFileBodySchema, parseCreateFileBody, parseJsonBody, PatchFileBodySchema } from '../../src/files/schemas'
import { formatCreateSource, parseCreateSource } from '../../src/room/createSource'

const serialized = schema.serialize()

const documentRecord = schema.types.document.create({ id: 'document:document' as never, name: 'Roadmap' } as never) as TLRecord
const pageRecord = schema.types.page.create({ id: 'page:page' as never, name: 'Page 1', index: 'a1' as never } as never) as TLRecord
const geoShape = schema.types.shape.create({
	id: 'shape:box' as never,
	type: 'geo',
	parentId: 'page:page' as never,
	index: 'a1' as never,
	props: {
		w: 100, h: 50, geo: 'rectangle', color: 'black', labelColor: 'black', fill: 'none', dash: 'draw', size: 'm',
		font: 'draw', align: 'middle', verticalAlign: 'middle', growY: 0, url: '', scale: 1, flipX: false, flipY: false,
		richText: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }] },
	},
} as never) as TLRecord
const camera = schema.types.camera.create({ id: 'camera:page:page' as never } as never) as TLRecord
const RECORDS = [documentRecord, pageRecord, geoShape]
const byId = (records: TLRecord[]) => Object.fromEntries(records.map((r) => [r.id, r]))
const tldr = (over: Record<string, unknown> = {}) => ({ tldrawFileFormatVersion: 1, schema: serialized, records: RECORDS, ...over })

function ok(result: ParseImportResult) {
	if (!result.ok) throw new Error(`expected ok, got: ${result.error}`)
	return result
}
function err(result: ParseImportResult): string {
	if (result.ok) throw new Error('expected an error')
	return result.error
}

describe('parseTldrawImport', () => {
	it.each([
		['a .tldr file', tldr()],
		['a .tldr file as a string', JSON.stringify(tldr())],
		['a store snapshot', { store: byId(RECORDS), schema: serialized }],
		['an editor snapshot', { document: { store: byId(RECORDS), schema: serialized }, session: {} }],
		['a room snapshot', { clock: 7, documents: RECORDS.map((state) => ({ state, lastChangedClock: 3 })), schema: serialized }],
	])('accepts %s and returns a clock-0 room snapshot of the current schema', (_name, input) => {
		const { snapshot, droppedRecords } = ok(parseTldrawImport(input))
		expect(droppedRecords).toBe(0)
		expect(snapshot.clock).toBe(0)
		expect(snapshot.documentClock).toBe(0)
		expect(snapshot.tombstones).toEqual({})
		expect(snapshot.schema).toEqual(serialized)
		expect(snapshot.documents.map((d) => d.lastChangedClock)).toEqual([0, 0, 0])
		expect(snapshot.documents.map((d) => d.state).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
			[...RECORDS].sort((a, b) => a.id.localeCompare(b.id)),
		)
	})

	it('migrates records saved by an older tldraw', () => {
		const old = { ...serialized, sequences: { ...serialized.sequences, 'com.tldraw.shape.geo': 10 } }
		const down = schema.migratePersistedRecord(geoShape, old, 'down')
		if (down.type !== 'success') throw new Error('could not build an old record')
		expect('flipX' in (down.value as { props: object }).props).toBe(false)
		const { snapshot } = ok(parseTldrawImport(tldr({ schema: old, records: [documentRecord, pageRecord, down.value] })))
		expect(snapshot.documents.find((d) => d.state.id === geoShape.id)?.state).toEqual(geoShape)
	})

	it('drops session records such as cameras', () => {
		const result = ok(parseTldrawImport(tldr({ records: [...RECORDS, camera] })))
		expect(result.droppedRecords).toBe(1)
		expect(result.snapshot.documents.map((d) => d.state.typeName)).not.toContain('camera')
	})

	it('accepts an empty document', () => {
		expect(ok(parseTldrawImport(tldr({ records: [] }))).snapshot.documents).toEqual([])
	})

	it('ignores migration sequences it does not know (custom shapes of other apps are caught by validation)', () => {
		const withCustom = { ...serialized, sequences: { ...serialized.sequences, 'com.example.shape.card': 3 } }
		expect(ok(parseTldrawImport(tldr({ schema: withCustom }))).snapshot.documents).toHaveLength(3)
	})

	it.each<[string, unknown, RegExp]>([
		['not JSON', '{nope', /not JSON/],
		['an array', [1, 2], /not a tldraw file/],
		['null', null, /not a tldraw file/],
		['an unrelated object', { hello: 'world' }, /expected a \.tldr file/],
		['a .tldr file without records', { tldrawFileFormatVersion: 1, schema: serialized }, /not a valid \.tldr file: records/],
		['a .tldr file with a bad schema', tldr({ schema: { schemaVersion: 9 } }), /schema must be a tldraw serialized schema/],
		['a .tldr file from a newer format', tldr({ tldrawFileFormatVersion: 2 }), /format 2 is newer/],
		['a file from a newer tldraw', tldr({ schema: { ...serialized, sequences: { ...serialized.sequences, 'com.tldraw.shape.geo': 99 } } }), /newer version of tldraw \(com\.tldraw\.shape\.geo version 99 > 12\)/],
		['a record without an id', tldr({ records: [{ typeName: 'page' }] }), /records\.0\.id/],
		['a duplicate record', tldr({ records: [pageRecord, pageRecord] }), /"page:page" appears twice/],
		['an unknown record type', tldr({ records: [{ id: 'widget:1', typeName: 'widget' }] }), /unknown type "widget"/],
		['a record with a bad prop', tldr({ records: [{ ...geoShape, props: { ...(geoShape as { props: object }).props, w: 'wide' } }] }), /record "shape:box" is invalid: At shape\(type = geo\)\.props\.w: Expected number/],
		['a shape type this server lacks', tldr({ records: [{ ...geoShape, type: 'kanban' }] }), /record "shape:box" is invalid: .*got "kanban"/],
		['a store key that is not the record id', { store: { 'page:other': pageRecord }, schema: serialized }, /does not match its record's id/],
		['a room snapshot without a schema', { documents: [] }, /not a valid room snapshot: schema/],
	])('rejects %s with a readable error', (_name, input, message) => {
		expect(err(parseTldrawImport(input))).toMatch(message)
	})
})

function jsonRequest(body: BodyInit | null, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
	// duplex is required by Node's fetch for stream bodies; workerd ignores it.
	return new Request('http://localhost/app/files', { method: 'POST', body, headers, duplex: 'half' } as RequestInit)
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
	try {
		await p
	} catch (e) {
		if (e instanceof ApiError) return e
		throw e
	}
	throw new Error('expected an ApiError')
}

describe('parseJsonBody', () => {
	it('parses and validates a JSON body', async () => {
		expect(await parseJsonBody(jsonRequest('{"name":" Plan "}'), CreateFileBodySchema, 1000)).toEqual({ name: 'Plan' })
	})

	it.each([
		['no body', null, {}],
		['an empty body without a content type', '', {}],
		['whitespace', '  \n', {}],
	])('treats %s as {}', async (_name, body, expected) => {
		expect(await parseJsonBody(jsonRequest(body, {}), CreateFileBodySchema, 1000)).toEqual(expected)
	})

	it.each([
		['application/json; charset=utf-8'],
		['application/vnd.tldraw+json'],
		['Application/JSON'],
	])('accepts Content-Type %s', async (contentType) => {
		expect(await parseJsonBody(jsonRequest('{}', { 'Content-Type': contentType }), CreateFileBodySchema, 1000)).toEqual({})
	})

	it.each<[string, () => Request, number, string, RegExp]>([
		['a too-large Content-Length', () => jsonRequest('{}', { 'Content-Type': 'application/json', 'Content-Length': '5000' }), 413, 'PAYLOAD_TOO_LARGE', /larger than 100 bytes/],
		['a too-large streamed body', () => jsonRequest(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(`{"name":"${'x'.repeat(200)}"}`)); c.close() } }), { 'Content-Type': 'application/json' }), 413, 'PAYLOAD_TOO_LARGE', /larger than/],
		['text/plain', () => jsonRequest('{}', { 'Content-Type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE', /Content-Type: application\/json/],
		['no Content-Type', () => jsonRequest('{}', {}), 415, 'UNSUPPORTED_MEDIA_TYPE', /must be JSON/],
		['application/jsonp', () => jsonRequest('{}', { 'Content-Type': 'application/jsonp' }), 415, 'UNSUPPORTED_MEDIA_TYPE', /must be JSON/],
		['bad JSON', () => jsonRequest('{"name":'), 400, 'BAD_REQUEST', /not valid JSON/],
		['bad UTF-8', () => jsonRequest(new Uint8Array([0x7b, 0xff, 0x7d])), 400, 'BAD_REQUEST', /UTF-8/],
		['an unknown field', () => jsonRequest('{"name":"a","owner":"me"}'), 400, 'BAD_REQUEST', /Unrecognized key.*"owner"/],
		['a wrong type', () => jsonRequest('{"name":5}'), 400, 'BAD_REQUEST', /name: /],
		['a non-object snapshot', () => jsonRequest('{"snapshot":[1]}'), 400, 'BAD_REQUEST', /snapshot: snapshot must be a JSON object/],
	])('rejects %s', async (_name, makeRequest, status, code, message) => {
		const e = await rejection(parseJsonBody(makeRequest(), CreateFileBodySchema, 100))
		expect([e.status, e.code]).toEqual([status, code])
		expect(e.message).toMatch(message)
	})
})

describe('CreateFileBodySchema / PatchFileBodySchema', () => {
	it.each<[string, unknown, boolean]>([
		['empty', {}, true],
		['a name', { name: 'Plan' }, true],
		['an empty name', { name: '' }, true],
		['a snapshot object', { snapshot: { tldrawFileFormatVersion: 1 } }, true],
		['a too-long name', { name: 'x'.repeat(257) }, false],
		['a name with a newline', { name: 'a\nb' }, false],
		['an unknown field', { id: 'mine' }, false],
		['a null snapshot', { snapshot: null }, false],
	])('create body: %s → %s', (_name, body, valid) => {
		expect(CreateFileBodySchema.safeParse(body).success).toBe(valid)
	})

	it.each<[string, unknown, boolean]>([
		['a rename', { name: 'New' }, true],
		['share as view link', { shared: true, sharedLinkType: 'view' }, true],
		['publish', { published: true }, true],
		['nothing', {}, false],
		['only undefined', { name: undefined }, false],
		['a bad link type', { sharedLinkType: 'comment' }, false],
		['shared as a string', { shared: 'yes' }, false],
		['an unknown field', { ownerId: 'me' }, false],
		['isDeleted (use DELETE)', { isDeleted: true }, false],
	])('patch body: %s → %s', (_name, body, valid) => {
		expect(PatchFileBodySchema.safeParse(body).success).toBe(valid)
	})

	it('explains an empty patch', () => {
		const r = PatchFileBodySchema.safeParse({})
		expect(r.success ? '' : r.error.issues[0]?.message).toMatch(/nothing to update/)
	})
})

describe('createSource', () => {
	it.each([
		[{ kind: 'import' } as const, 'import'],
		[{ kind: 'duplicate', fileId: 'abc_1' } as const, 'duplicate:abc_1'],
	])('%j round-trips as %s', (source, text) => {
		expect(formatCreateSource(source)).toBe(text)
		expect(parseCreateSource(text)).toEqual(source)
	})

	it.each([[null], [''], ['duplicate:'], ['duplicate:../x'], ['future:thing']])('%j means an empty document', (value) => {
		expect(parseCreateSource(value)).toBeNull()
	})
})

describe('parseCreateFileBody', () => {
	const q = (query = '') => new URLSearchParams(query)
	it.each([
		['a raw .tldr file, named by ?name=', tldr(), 'name=Plan', { name: 'Plan', snapshot: tldr() }],
		['a raw .tldr file without a name', tldr(), '', { name: undefined, snapshot: tldr() }],
		['the JSON form', { name: 'Body name', snapshot: tldr() }, 'name=Query', { name: 'Body name', snapshot: tldr() }],
		['the JSON form named by the query', { duplicateOf: 'abc' }, 'name=Copy', { name: 'Copy', duplicateOf: 'abc' }],
		['an empty body', {}, '', { name: undefined }],
	])('accepts %s', (_what, body, query, expected) => {
		expect(parseCreateFileBody(body, q(query))).toEqual(expected)
	})

	it.each([
		['an unknown field', { records: [] }, '', /invalid request body/],
		['a control character in ?name=', tldr(), 'name=%07', /invalid name/],
		['an array', [], '', /invalid request body/],
	])('refuses %s', (_what, body, query, message) => {
		expect(() => parseCreateFileBody(body, q(query))).toThrow(message)
	})
})

