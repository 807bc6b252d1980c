import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { FileRepository } from '../../src/db/FileRepository'

/**
 * The behaviour every FileRepository must have. test/unit/db-repositories.test.ts runs it against
 * Postgres and against FakeFileRepository, so the fake the API tests use cannot drift from the real thing.
 * Each test makes its own ids, so one shared database serves all of them.
 */
export function describeFileRepositoryContract(name: string, getRepo: () => FileRepository) {
	const uid = (p: string) => `${p}_${randomUUID().replaceAll('-', '')}`

	describe(`${name}: FileRepository contract`, () => {
		it('upsertUser creates a user, then writes only when something changed', async () => {
			const repo = getRepo()
			const id = uid('user')
			const created = await repo.upsertUser({ id })
			expect(created).toMatchObject({ id, name: '', email: '', avatar: '', color: '', preferences: {} })
			expect(created.createdAt).toBeInstanceOf(Date)

			const same = await repo.upsertUser({ id })
			expect(same.updatedAt.getTime()).toBe(created.updatedAt.getTime())

			const named = await repo.upsertUser({ id, name: 'Ada', email: 'ada@example.com' })
			expect(named).toMatchObject({ name: 'Ada', email: 'ada@example.com' })
			expect(named.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime())

			// A name the user has is never replaced by the token's; a new email from Clerk is taken.
			const again = await repo.upsertUser({ id, name: 'Token Name', email: 'new@example.com' })
			expect(again).toMatchObject({ name: 'Ada', email: 'new@example.com' })
			const unchanged = await repo.upsertUser({ id, name: 'Token Name' })
			expect(unchanged).toMatchObject({ name: 'Ada', email: 'new@example.com' })
			expect(unchanged.updatedAt.getTime()).toBe(again.updatedAt.getTime())
		})

		it('createFile applies the defaults and records the owner’s first visit', async () => {
			const repo = getRepo()
			const owner = uid('owner')
			await repo.upsertUser({ id: owner })
			const id = uid('file')
			const file = await repo.createFile({ id, ownerId: owner })
			expect(file).toMatchObject({
				id,
				ownerId: owner,
				name: '',
				shared: false,
				sharedLinkType: 'edit',
				published: false,
				publishedSlug: null,
				lastPublished: null,
				isDeleted: false,
				createSource: null,
				thumbnail: '',
			})
			expect(await repo.getFile(id)).toEqual(file)
			const [entry] = await repo.listFilesForUser(owner)
			expect(entry?.file.id).toBe(id)
			expect(entry?.isOwner).toBe(true)
			expect(entry?.state).toMatchObject({ userId: owner, fileId: id, isPinned: false, lastEditAt: null })
			expect(entry?.state?.firstVisitAt?.getTime()).toBe(file.createdAt.getTime())
		})

		it('createFile keeps the given name, sharing and source, and rejects a duplicate id', async () => {
			const repo = getRepo()
			const owner = uid('owner')
			await repo.upsertUser({ id: owner })
			const id = uid('file')
			const file = await repo.createFile({ id, ownerId: owner, name: 'Plan', shared: true, sharedLinkType: 'view', createSource: 'import' })
			expect(file).toMatchObject({ name: 'Plan', shared: true, sharedLinkType: 'view', createSource: 'import' })
			await expect(repo.createFile({ id, ownerId: owner })).rejects.toThrow()
		})

		it('createFile needs the owner row to exist', async () => {
			const repo = getRepo()
			await expect(repo.createFile({ id: uid('file'), ownerId: uid('nobody') })).rejects.toThrow()
		})

		it('getFile returns null for a missing file and the row for a deleted one', async () => {
			const repo = getRepo()
			expect(await repo.getFile(uid('missing'))).toBeNull()
			const owner = uid('owner')
			await repo.upsertUser({ id: owner })
			const id = uid('file')
			await repo.createFile({ id, ownerId: owner })
			await repo.softDeleteFile(id)
			expect(await repo.getFile(id)).toMatchObject({ id, isDeleted: true })
		})

		it('listFilesForUser: owned files plus shared files I opened, newest first, never deleted ones', async () => {
			const repo = getRepo()
			const me = uid('me')
			const other = uid('other')
			await repo.upsertUser({ id: me })
			await repo.upsertUser({ id: other })
			const mine1 = await repo.createFile({ id: uid('mine1'), ownerId: me })
			const mine2 = await repo.createFile({ id: uid('mine2'), ownerId: me })
			const mineDeleted = await repo.createFile({ id: uid('mineDel'), ownerId: me })
			await repo.softDeleteFile(mineDeleted.id)
			const sharedVisited = await repo.createFile({ id: uid('sharedVisited'), ownerId: other, shared: true })
			await repo.recordVisit(me, sharedVisited.id)
			await repo.createFile({ id: uid('sharedNotVisited'), ownerId: other, shared: true })
			const privateVisited = await repo.createFile({ id: uid('privateVisited'), ownerId: other })
			await repo.recordVisit(me, privateVisited.id)
			const sharedDeleted = await repo.createFile({ id: uid('sharedDeleted'), ownerId: other, shared: true })
			await repo.recordVisit(me, sharedDeleted.id)
			await repo.softDeleteFile(sharedDeleted.id)

			const list = await repo.listFilesForUser(me)
			expect(list.map((e) => e.file.id)).toEqual([sharedVisited.id, mine2.id, mine1.id])
			expect(list.map((e) => e.isOwner)).toEqual([false, true, true])
			expect(list[0]?.state).toMatchObject({ userId: me, fileId: sharedVisited.id })

			// Unsharing removes it from my list; the owner still sees it.
			await repo.updateFile(sharedVisited.id, { shared: false })
			expect((await repo.listFilesForUser(me)).map((e) => e.file.id)).toEqual([mine2.id, mine1.id])
			expect((await repo.listFilesForUser(other)).map((e) => e.file.id)).toContain(sharedVisited.id)
			expect(await repo.listFilesForUser(uid('stranger'))).toEqual([])
		})

		it('updateFile patches only the given fields and bumps updatedAt; null when missing or deleted', async () => {
			const repo = getRepo()
			const owner = uid('owner')
			await repo.upsertUser({ id: owner })
			const file = await repo.createFile({ id: uid('file'), ownerId: owner, name: 'Before' })
			const renamed = await repo.updateFile(file.id, { name: 'After', shared: undefined })
			expect(renamed).toMatchObject({ name: 'After', shared: false, sharedLinkType: 'edit' })
			expect(renamed!.updatedAt.getTime()).toBeGreaterThan(file.updatedAt.getTime())

			const publishedAt = new Date('2026-11-20T10:00:00.000Z')
			const shared = await repo.updateFile(file.id, { shared: true, sharedLinkType: 'view', published: true, publishedSlug: uid('slug'), lastPublished: publishedAt })
			expect(shared).toMatchObject({ name: 'After', shared: true, sharedLinkType: 'view', published: true })
			expect(shared!.lastPublished?.getTime()).toBe(publishedAt.getTime())

			expect(await repo.updateFile(uid('missing'), { name: 'x' })).toBeNull()
			await repo.softDeleteFile(file.id)
			expect(await repo.updateFile(file.id, { name: 'x' })).toBeNull()
			expect((await repo.getFile(file.id))?.name).toBe('After')
		})

		it('softDeleteFile marks a live file deleted once', async () => {
			const repo = getRepo()
			const owner = uid('owner')
			await repo.upsertUser({ id: owner })
			const file = await repo.createFile({ id: uid('file'), ownerId: owner })
			const deleted = await repo.softDeleteFile(file.id)
			expect(deleted).toMatchObject({ id: file.id, isDeleted: true })
			expect(deleted!.updatedAt.getTime()).toBeGreaterThan(file.updatedAt.getTime())
			expect(await repo.softDeleteFile(file.id)).toBeNull()
			expect(await repo.softDeleteFile(uid('missing'))).toBeNull()
		})

		it('recordVisit keeps the first visit and moves the last one', async () => {
			const repo = getRepo()
			const owner = uid('owner')
			const visitor = uid('visitor')
			await repo.upsertUser({ id: owner })
			await repo.upsertUser({ id: visitor })
			const file = await repo.createFile({ id: uid('file'), ownerId: owner, shared: true })
			const t1 = new Date('2026-11-01T00:00:00.000Z')
			const t2 = new Date('2026-11-02T00:00:00.000Z')
			const first = await repo.recordVisit(visitor, file.id, t1)
			expect(first).toMatchObject({ userId: visitor, fileId: file.id, isPinned: false, lastEditAt: null })
			expect([first.firstVisitAt?.getTime(), first.lastVisitAt?.getTime()]).toEqual([t1.getTime(), t1.getTime()])
			const second = await repo.recordVisit(visitor, file.id, t2)
			expect([second.firstVisitAt?.getTime(), second.lastVisitAt?.getTime()]).toEqual([t1.getTime(), t2.getTime()])
			const byClock = await repo.recordVisit(visitor, file.id)
			expect(byClock.firstVisitAt?.getTime()).toBe(t1.getTime())
			expect(byClock.lastVisitAt).toBeInstanceOf(Date)
			await expect(repo.recordVisit(uid('nobody'), file.id)).rejects.toThrow()
		})
	})
}
