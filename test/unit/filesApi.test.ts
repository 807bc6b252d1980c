import type { TLRecord } from '@tldraw/tlschema'
import { schema } from '../../schema/index.ts'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Auth } from '../../src/auth/authenticateRequest'
import { createFile, deleteFile, getFile, listFiles, patchFile, type FilesApiDeps } from '../../src/files/filesApi'
import { ApiError, errorResponse } from '../../src/http/errors'
import { fakeAuth } from '../fakes/fakeAuth'
import { FakeFileRepository } from '../fakes/FakeFileRepository'
import { FakeImportStore } from '../fakes/FakeImportStore'

const OWNER = fakeAuth('owner', { name: 'Olive', email: 'olive@example.com' })
const GUEST = fakeAuth('guest')

let repo: FakeFileRepository
let imports: FakeImportStore
let ids: number

function deps(auth: Auth | null, over: Partial<FilesApiDeps> = {}): FilesApiDeps {
	return {
		repo,
		auth,
		imports,
		newFileId: () => `file_${++ids}`,
		newPublishedSlug: () => `slug_${ids}`,
		now: () => new Date('2026-11-20T12:00:00.000Z'),
		...over,
	}
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

async function fileWith(sharing: { shared?: boolean; sharedLinkType?: 'view' | 'edit'; published?: boolean } = {}) {
	const file = await createFile(deps(OWNER), { name: 'Plan' })
	if (Object.keys(sharing).length) await patchFile(deps(OWNER), { fileId: file.id, body: sharing })
	return file.id
}

beforeEach(() => {
	repo = new FakeFileRepository()
	imports = new FakeImportStore()
	ids = 0
})

describe('createFile', () => {
	it('creates an empty file owned by the caller, creating the user first', async () => {
		const view = await createFile(deps(OWNER), { name: 'Plan' })
		expect(view).toMatchObject({
			id: 'file_1',
			ownerId: 'owner',
			name: 'Plan',
			shared: false,
			sharedLinkType: 'edit',
			published: false,
			publishedSlug: null,
			lastPublished: null,
			isOwner: true,
			isReadonly: false,
		})
		expect(view.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/)
		expect(view).not.toHaveProperty('createSource')
		expect(view).not.toHaveProperty('isDeleted')
		expect(repo.users.get('owner')).toMatchObject({ name: 'Olive', email: 'olive@example.com' })
		expect(repo.calls.map((c) => c.method)).toEqual(['upsertUser', 'createFile'])
		expect(repo.files.get('file_1')?.createSource).toBeNull()
	})

	it('stores an uploaded .tldr file before the row and names the file after its document', async () => {
		const doc = schema.types.document.create({ id: 'document:document' as never, name: 'Roadmap' } as never) as TLRecord
		const page = schema.types.page.create({ id: 'page:p' as never, name: 'Page 1', index: 'a1' as never } as never) as TLRecord
		const snapshot = { tldrawFileFormatVersion: 1, schema: schema.serialize(), records: [doc, page] }
		const view = await createFile(deps(OWNER), { snapshot })
		expect(view.name).toBe('Roadmap')
		expect(repo.files.get(view.id)?.createSource).toBe('import')
		expect(imports.imports.get(view.id)?.documents.map((d) => d.state.id).sort()).toEqual(['document:document', 'page:p'])

		const named = await createFile(deps(OWNER), { name: 'Mine', snapshot })
		expect(named.name).toBe('Mine')
	})

	it('400 INVALID_SNAPSHOT with the reason, and nothing written', async () => {
		const e = await rejection(createFile(deps(OWNER), { snapshot: { tldrawFileFormatVersion: 1, schema: schema.serialize(), records: [{ id: 'x:1', typeName: 'x' }] } }))
		expect([e.status, e.code]).toEqual([400, 'INVALID_SNAPSHOT'])
		expect(e.message).toMatch(/^snapshot: record "x:1" has an unknown type "x"/)
		expect(repo.files.size).toBe(0)
		expect(imports.imports.size).toBe(0)
	})

	it('no file row when storing the import fails', async () => {
		imports.failNextPut = new Error('R2 down')
		await expect(createFile(deps(OWNER), { snapshot: { store: {}, schema: schema.serialize() } })).rejects.toThrow('R2 down')
		expect(repo.files.size).toBe(0)
	})

	it('401 for anonymous callers', async () => {
		const e = await rejection(createFile(deps(null), {}))
		expect([e.status, e.code]).toEqual([401, 'NOT_AUTHENTICATED'])
	})
})

describe('listFiles', () => {
	it('lists my files and shared files I opened, with my access and visit state', async () => {
		const mine = await fileWith()
		const shared = await fileWith({ shared: true, sharedLinkType: 'view' })
		await repo.upsertUser({ id: 'guest' })
		await repo.recordVisit('guest', shared, new Date('2026-11-21T08:00:00.000Z'))

		const guestList = await listFiles(deps(GUEST))
		expect(guestList.files).toEqual([expect.objectContaining({ id: shared, isOwner: false, isReadonly: true, lastVisitAt: '2026-11-21T08:00:00.000Z', isPinned: false })])
		const ownerList = await listFiles(deps(OWNER))
		expect(ownerList.files.map((f) => [f.id, f.isOwner, f.isReadonly])).toEqual([
			[shared, true, false],
			[mine, true, false],
		])
	})

	it('401 for anonymous callers', async () => {
		expect((await rejection(listFiles(deps(null)))).status).toBe(401)
	})
})

type Sharing = 'private' | 'view link' | 'edit link' | 'published' | 'deleted' | 'missing'
const SHARING: Record<Exclude<Sharing, 'deleted' | 'missing'>, Parameters<typeof fileWith>[0]> = {
	private: {},
	'view link': { shared: true, sharedLinkType: 'view' },
	'edit link': { shared: true, sharedLinkType: 'edit' },
	published: { published: true },
}
async function makeFile(kind: Sharing): Promise<string> {
	if (kind === 'missing') return 'no_such_file'
	if (kind === 'deleted') {
		const id = await fileWith({ shared: true })
		await deleteFile(deps(OWNER), { fileId: id })
		return id
	}
	return fileWith(SHARING[kind])
}
const CALLER = { owner: OWNER, guest: GUEST, anonymous: null }

describe('getFile', () => {
	// prettier-ignore
	it.each<[keyof typeof CALLER, Sharing, number | { isReadonly: boolean }]>([
		['owner',     'private',   { isReadonly: false }],
		['guest',     'private',   403],
		['anonymous', 'private',   401],
		['guest',     'view link', { isReadonly: true }],
		['anonymous', 'view link', { isReadonly: true }],
		['guest',     'edit link', { isReadonly: false }],
		['anonymous', 'edit link', { isReadonly: false }],
		['guest',     'published', 403],
		['owner',     'deleted',   404],
		['guest',     'deleted',   404],
		['owner',     'missing',   404],
	])('%s on a %s file → %j', async (caller, kind, expected) => {
		const fileId = await makeFile(kind)
		const result = getFile(deps(CALLER[caller]), { fileId })
		if (typeof expected === 'number') {
			expect((await rejection(result)).status).toBe(expected)
		} else {
			expect(await result).toMatchObject({ id: fileId, name: 'Plan', isOwner: caller === 'owner', ...expected })
		}
	})

	it('400 INVALID_ID for a malformed id', async () => {
		const e = await rejection(getFile(deps(OWNER), { fileId: '../etc' }))
		expect([e.status, e.code]).toEqual([400, 'INVALID_ID'])
	})

	it('errors render as { error, code } JSON', async () => {
		const fileId = await fileWith()
		const res = errorResponse(await rejection(getFile(deps(GUEST), { fileId })))
		expect(res.status).toBe(403)
		expect(await res.json()).toEqual({ error: 'this file is private', code: 'FORBIDDEN' })
	})
})

describe('patchFile', () => {
	it('renames and shares', async () => {
		const fileId = await fileWith()
		const view = await patchFile(deps(OWNER), { fileId, body: { name: 'Renamed', shared: true, sharedLinkType: 'view' } })
		expect(view).toMatchObject({ name: 'Renamed', shared: true, sharedLinkType: 'view', published: false, isOwner: true })
	})

	it('publishing assigns a slug once and refreshes lastPublished', async () => {
		const fileId = await fileWith()
		const first = await patchFile(deps(OWNER), { fileId, body: { published: true } })
		expect(first).toMatchObject({ published: true, publishedSlug: 'slug_1', lastPublished: '2026-11-20T12:00:00.000Z' })
		await patchFile(deps(OWNER), { fileId, body: { published: false } })
		const again = await patchFile(deps(OWNER, { newPublishedSlug: () => 'other', now: () => new Date('2026-11-22T00:00:00.000Z') }), {
			fileId,
			body: { published: true },
		})
		expect(again).toMatchObject({ published: true, publishedSlug: 'slug_1', lastPublished: '2026-11-22T00:00:00.000Z' })
	})

	it('leaves fields it was not given alone', async () => {
		const fileId = await fileWith({ shared: true, sharedLinkType: 'view' })
		expect(await patchFile(deps(OWNER), { fileId, body: { name: 'X' } })).toMatchObject({ name: 'X', shared: true, sharedLinkType: 'view' })
		expect(repo.calls.at(-1)).toEqual({ method: 'updateFile', args: [fileId, { name: 'X', shared: undefined, sharedLinkType: undefined, published: undefined }] })
	})

	// prettier-ignore
	it.each<[keyof typeof CALLER, Sharing, number, string]>([
		['guest',     'edit link', 403, 'FORBIDDEN'],
		['guest',     'private',   403, 'FORBIDDEN'],
		['anonymous', 'edit link', 401, 'NOT_AUTHENTICATED'],
		['owner',     'deleted',   404, 'NOT_FOUND'],
		['owner',     'missing',   404, 'NOT_FOUND'],
	])('%s on a %s file → %i %s', async (caller, kind, status, code) => {
		const fileId = await makeFile(kind)
		const before = repo.files.get(fileId)
		const e = await rejection(patchFile(deps(CALLER[caller]), { fileId, body: { name: 'hijacked' } }))
		expect([e.status, e.code]).toEqual([status, code])
		expect(repo.files.get(fileId)).toEqual(before)
	})
})

describe('deleteFile', () => {
	it('soft-deletes for the owner; then the file is gone for everyone', async () => {
		const fileId = await fileWith({ shared: true })
		expect(await deleteFile(deps(OWNER), { fileId })).toEqual({ id: fileId, isDeleted: true })
		expect(repo.files.get(fileId)?.isDeleted).toBe(true)
		expect((await rejection(getFile(deps(GUEST), { fileId }))).status).toBe(404)
		expect((await rejection(deleteFile(deps(OWNER), { fileId }))).status).toBe(404)
		expect((await listFiles(deps(OWNER))).files).toEqual([])
	})

	// prettier-ignore
	it.each<[keyof typeof CALLER, Sharing, number]>([
		['guest',     'edit link', 403],
		['anonymous', 'edit link', 401],
		['owner',     'missing',   404],
	])('%s on a %s file → %i', async (caller, kind, status) => {
		const fileId = await makeFile(kind)
		expect((await rejection(deleteFile(deps(CALLER[caller]), { fileId }))).status).toBe(status)
		if (kind !== 'missing') expect(repo.files.get(fileId)?.isDeleted).toBe(false)
	})
})
