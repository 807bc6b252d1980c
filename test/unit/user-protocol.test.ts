import { describe, expect, it } from 'vitest'
import type { FileRow, FileStateRow, UserRow } from '../../src/db/schema'
import {
	MAX_CLIENT_MESSAGE_BYTES,
	MAX_PREFERENCES_BYTES,
	parseClientMessage,
	parseServerMessage,
	ServerMessageSchema,
	toInitMessage,
	toWireChange,
	toWireMutationNumber,
	toWireRow,
	WireChangeSchema,
} from '../../src/user/protocol'

const mutate = (name: string, args: unknown, mutationId = 'm1') => JSON.stringify({ type: 'mutate', mutationId, name, args })

describe('parseClientMessage', () => {
	it.each([
		['createFile, empty', mutate('createFile', {})],
		['createFile with a proposed UUID and a name', mutate('createFile', { id: '0b6e3c52-5d1f-4c1e-9a43-2f6f0d3b9a11', name: 'Roadmap' })],
		['updateFile rename', mutate('updateFile', { id: 'f', name: 'New' })],
		['updateFile share', mutate('updateFile', { id: 'f', shared: true, sharedLinkType: 'view' })],
		['deleteFile', mutate('deleteFile', { id: 'f' })],
		['pinFile', mutate('pinFile', { fileId: 'f', isPinned: true })],
		['unpin', mutate('pinFile', { fileId: 'f', isPinned: false })],
		['updateUser name', mutate('updateUser', { name: 'Ada' })],
		['updateUser colour', mutate('updateUser', { color: '#FF802B' })],
		['updateUser short colour', mutate('updateUser', { color: '#abc' })],
		['updateUser preferences', mutate('updateUser', { preferences: { isDarkMode: true, locale: 'en', nested: [1, { a: null }] } })],
		['recordVisit', mutate('recordVisit', { fileId: 'f' })],
		['a 64-char mutationId', mutate('deleteFile', { id: 'f' }, 'x'.repeat(64))],
		['a 128-char id', mutate('deleteFile', { id: 'a'.repeat(128) })],
	])('accepts %s', (_name, text) => {
		const parsed = parseClientMessage(text)
		expect(parsed).toMatchObject({ ok: true, message: JSON.parse(text) })
	})

	it('trims names, as the files API does', () => {
		expect(parseClientMessage(mutate('createFile', { name: '  Plan  ' }))).toMatchObject({ ok: true, message: { args: { name: 'Plan' } } })
	})

	it.each([
		['not JSON', '{', /not valid JSON/],
		['an array', '[]', /invalid message/],
		['null', 'null', /invalid message/],
		['no type', JSON.stringify({ mutationId: 'm', name: 'deleteFile', args: { id: 'f' } }), /invalid/],
		['another type', JSON.stringify({ type: 'hello', mutationId: 'm', name: 'deleteFile', args: { id: 'f' } }), /type/],
		['unknown mutation', mutate('dropTables', {}), /name/],
		['empty mutationId', mutate('deleteFile', { id: 'f' }, ''), /mutationId/],
		['65-char mutationId', mutate('deleteFile', { id: 'f' }, 'x'.repeat(65)), /mutationId/],
		['numeric mutationId', JSON.stringify({ type: 'mutate', mutationId: 1, name: 'deleteFile', args: { id: 'f' } }), /mutationId/],
		['extra envelope field', JSON.stringify({ type: 'mutate', mutationId: 'm', name: 'deleteFile', args: { id: 'f' }, x: 1 }), /x/],
		['missing args', JSON.stringify({ type: 'mutate', mutationId: 'm', name: 'deleteFile' }), /args/],
		['createFile bad id', mutate('createFile', { id: 'a/b' }), /args.id/],
		['createFile 129-char id', mutate('createFile', { id: 'a'.repeat(129) }), /args.id/],
		['createFile id that is not a UUID', mutate('createFile', { id: 'file_1' }), /UUID/],
		['createFile long name', mutate('createFile', { name: 'n'.repeat(257) }), /args.name/],
		['createFile control chars', mutate('createFile', { name: 'a\u0007b' }), /control/],
		['createFile extra field', mutate('createFile', { ownerId: 'someone' }), /ownerId/],
		['updateFile nothing to do', mutate('updateFile', { id: 'f' }), /nothing to update/],
		['updateFile publish', mutate('updateFile', { id: 'f', published: true }), /published/],
		['updateFile pin (separate)', mutate('updateFile', { id: 'f', isPinned: true }), /isPinned/],
		['updateFile bad link type', mutate('updateFile', { id: 'f', sharedLinkType: 'admin' }), /sharedLinkType/],
		['updateFile shared as string', mutate('updateFile', { id: 'f', shared: 'yes' }), /shared/],
		['updateFile no id', mutate('updateFile', { name: 'x' }), /args.id/],
		['deleteFile empty id', mutate('deleteFile', { id: '' }), /args.id/],
		['pinFile no isPinned', mutate('pinFile', { fileId: 'f' }), /isPinned/],
		['pinFile with id instead of fileId', mutate('pinFile', { id: 'f', isPinned: true }), /fileId/],
		['updateUser nothing', mutate('updateUser', {}), /nothing to update/],
		['updateUser id (not changeable)', mutate('updateUser', { id: 'other', name: 'x' }), /id/],
		['updateUser email (from Clerk only)', mutate('updateUser', { email: 'a@b.c' }), /email/],
		['updateUser bad colour', mutate('updateUser', { color: 'red; drop' }), /color/],
		['updateUser long name', mutate('updateUser', { name: 'n'.repeat(129) }), /name/],
		['updateUser preferences array', mutate('updateUser', { preferences: [1] }), /preferences/],
		['updateUser preferences null', mutate('updateUser', { preferences: null }), /preferences/],
		['updateUser huge preferences', mutate('updateUser', { preferences: { blob: 'x'.repeat(MAX_PREFERENCES_BYTES) } }), /at most/],
		['recordVisit bad id', mutate('recordVisit', { fileId: '../x' }), /fileId/],
	])('rejects %s', (_name, text, error) => {
		const parsed = parseClientMessage(text)
		expect(parsed.ok).toBe(false)
		if (!parsed.ok) expect(parsed.error).toMatch(error)
	})

	it('returns the mutationId of an invalid mutation so the host can reject it', () => {
		expect(parseClientMessage(mutate('deleteFile', { id: '' }, 'abc'))).toMatchObject({ ok: false, mutationId: 'abc' })
		expect(parseClientMessage(mutate('nope', {}, 'abc'))).toMatchObject({ ok: false, mutationId: 'abc' })
		expect(parseClientMessage(mutate('deleteFile', { id: '' }, ''))).not.toHaveProperty('mutationId')
		expect(parseClientMessage('null')).not.toHaveProperty('mutationId')
	})

	it.each([
		['ASCII', 'x'],
		['3-byte characters', '€'],
	])('caps a message at %s bytes (%s)', (_name, char) => {
		const envelope = mutate('updateUser', { name: '' })
		const bytesPerChar = new TextEncoder().encode(char).byteLength
		const fill = (bytes: number) => envelope.replace('"name":""', `"name":"","pad":"${char.repeat(Math.floor(bytes / bytesPerChar))}"`)
		const overhead = new TextEncoder().encode(fill(0)).byteLength
		const atCap = fill(MAX_CLIENT_MESSAGE_BYTES - overhead)
		expect(new TextEncoder().encode(atCap).byteLength).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES)
		expect(parseClientMessage(atCap)).toMatchObject({ ok: false, error: expect.stringMatching(/invalid message/) })
		const over = fill(MAX_CLIENT_MESSAGE_BYTES - overhead + bytesPerChar)
		expect(new TextEncoder().encode(over).byteLength).toBeGreaterThan(MAX_CLIENT_MESSAGE_BYTES)
		expect(parseClientMessage(over)).toEqual({ ok: false, error: expect.stringMatching(/larger than 65536 bytes/) })
	})
})

const created = new Date('2026-11-23T09:05:01.002Z')
const user: UserRow = { id: 'u1', name: 'Ada', email: 'ada@example.com', avatar: '', color: '#ff802b', preferences: { locale: 'en' }, createdAt: created, updatedAt: created }
const file: FileRow = {
	id: 'f1',
	ownerId: 'u1',
	name: 'Plan',
	shared: true,
	sharedLinkType: 'view',
	published: false,
	publishedSlug: null,
	lastPublished: null,
	isDeleted: false,
	createSource: 'duplicate:secret_source',
	thumbnail: '',
	createdAt: created,
	updatedAt: created,
}
const fileState: FileStateRow = { userId: 'u1', fileId: 'f1', firstVisitAt: created, lastVisitAt: created, lastEditAt: null, isPinned: true }
const iso = created.toISOString()

describe('toWireRow', () => {
	it.each([
		['user', 'a user row', user, { ...user, createdAt: iso, updatedAt: iso }],
		['file', 'a file row (createSource stays inside)', file, { ...file, createSource: undefined, createdAt: iso, updatedAt: iso }],
		['file_state', 'a file_state row', fileState, { ...fileState, firstVisitAt: iso, lastVisitAt: iso }],
		['user', 'a replicated JSON row', JSON.parse(JSON.stringify(user)), { ...user, createdAt: iso, updatedAt: iso }],
		['asset', 'an asset row', { objectName: 'o', fileId: null, userId: 'u1', size: '1024', contentType: 'image/png', uploadedAt: created }, { objectName: 'o', fileId: null, userId: 'u1', size: 1024, contentType: 'image/png', uploadedAt: iso }],
		['user_mutation_number', 'a mutation number', { userId: 'u1', mutationNumber: '42' }, { userId: 'u1', mutationNumber: 42 }],
		['user_mutation_number', 'a mutation number past 2^53', { userId: 'u1', mutationNumber: '9007199254740993' }, { userId: 'u1', mutationNumber: '9007199254740993' }],
		['user', 'a key-only row', { id: 'u1' }, { id: 'u1' }],
		['user', 'a Postgres text timestamp', { id: 'u1', updatedAt: '2026-11-23 09:05:01.002+00' }, { id: 'u1', updatedAt: iso }],
	] as const)('%s: %s', (table, _name, row, expected) => {
		const wire = toWireRow(table, row)
		expect(wire).toStrictEqual(JSON.parse(JSON.stringify(expected)))
		expect(JSON.parse(JSON.stringify(wire))).toStrictEqual(wire)
	})

	it('throws on a value that is not a timestamp', () => {
		expect(() => toWireRow('user', { id: 'u', createdAt: 'yesterday' })).toThrow(/not a timestamp/)
	})
})

describe('toWireChange and WireChangeSchema', () => {
	it.each([
		[{ table: 'file', op: 'insert', row: file }],
		[{ table: 'file', op: 'update', row: file }],
		[{ table: 'user', op: 'update', row: { id: 'u1', name: 'only what arrived' } }],
		[{ table: 'file_state', op: 'delete', row: fileState }],
		[{ table: 'user_mutation_number', op: 'update', row: { userId: 'u1', mutationNumber: '3' } }],
	] as const)('%j is a valid wire change', (change) => {
		const wire = toWireChange(change)
		expect(WireChangeSchema.parse(JSON.parse(JSON.stringify(wire)))).toEqual(wire)
	})

	it('a delete keeps only the key', () => {
		expect(toWireChange({ table: 'file_state', op: 'delete', row: fileState })).toEqual({ table: 'file_state', op: 'delete', row: { userId: 'u1', fileId: 'f1' } })
	})

	it.each([
		['insert of a partial row', { table: 'file', op: 'insert', row: { id: 'f1' } }],
		['update without the key', { table: 'file_state', op: 'update', row: { fileId: 'f1', isPinned: true } }],
		['unknown table', { table: 'secrets', op: 'insert', row: {} }],
		['unknown column', { table: 'user', op: 'update', row: { id: 'u', password: 'x' } }],
		['Date left unconverted', { table: 'user', op: 'update', row: { id: 'u', createdAt: created } }],
		['bad op', { table: 'user', op: 'upsert', row: { id: 'u' } }],
	])('rejects %s', (_name, change) => {
		expect(WireChangeSchema.safeParse(change).success).toBe(false)
	})
})

describe('server messages', () => {
	it.each([
		['init', toInitMessage({ user, files: [file], fileStates: [fileState], mutationNumber: 3 })],
		['changes', { type: 'changes', changes: [toWireChange({ table: 'file', op: 'insert', row: file })] }],
		['commit', { type: 'commit', mutationIds: ['a', 'b'] }],
		['reject', { type: 'reject', mutationId: 'a', code: 'FORBIDDEN', message: 'only the owner…' }],
		['resync', { type: 'resync' }],
	])('%s round-trips through JSON and the schema', (_name, message) => {
		const parsed = parseServerMessage(JSON.stringify(message))
		expect(parsed).toEqual({ ok: true, message: JSON.parse(JSON.stringify(message)) })
	})

	it.each([
		['init with a Date-less file', { ...toInitMessage({ user, files: [], fileStates: [], mutationNumber: 0 }), files: [{ id: 'f' }] }],
		['init with a fractional mutationNumber', { ...toInitMessage({ user, files: [], fileStates: [], mutationNumber: 0 }), mutationNumber: 1.5 }],
		['empty changes', { type: 'changes', changes: [] }],
		['empty commit', { type: 'commit', mutationIds: [] }],
		['reject without code', { type: 'reject', mutationId: 'a', message: 'x' }],
		['resync with extras', { type: 'resync', why: 'x' }],
		['unknown type', { type: 'hello' }],
	])('rejects %s', (_name, message) => {
		expect(ServerMessageSchema.safeParse(message).success).toBe(false)
	})

	it('init leaves internal columns out', () => {
		expect(JSON.stringify(toInitMessage({ user, files: [file], fileStates: [], mutationNumber: 0 }))).not.toContain('secret_source')
	})
})

describe('toWireMutationNumber', () => {
	it.each([
		['0', 0],
		['42', 42],
		[7n, 7],
		['9007199254740991', 9007199254740991],
	] as const)('%s → %i', (value, expected) => {
		expect(toWireMutationNumber(value)).toBe(expected)
	})

	it.each(['9007199254740992', '-1', '1.5', '', 'abc', ' 1'])('rejects %j', (value) => {
		expect(() => toWireMutationNumber(value)).toThrow(/out of range/)
	})
})
