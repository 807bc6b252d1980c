/**
 * Issue 12 item 4. A frozen snapshot is a public copy only the file's owner can revoke, so freezing needs
 * edit access; the owner lists and deletes a file's frozen snapshots; deleting the file removes them.
 * Attack: an anonymous visitor of a view link (and a signed-in one) freezes the file.
 */
import { describe, expect, it } from 'vitest'
import { useSignedInWorker } from '../../helpers/signedInWorker'

const w = useSignedInWorker()
const { api } = w

describe('frozen snapshots', () => {
	it('need edit access; the owner lists and deletes them; deleting the file removes them', async () => {
		const owner = await w.user('owner')
		const visitor = await w.user('visitor')
		const file = await w.createFile(owner, { name: 'Frozen' })
		await w.patchFile(owner, file.id, { shared: true, sharedLinkType: 'view' })

		// View link: reading is allowed, freezing is not — anonymous or signed in.
		expect((await api('GET', `/app/file/${file.id}/snapshot`)).status).toBe(200)
		expect(await api('POST', '/snapshots', { body: { fileId: file.id } })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } })
		expect(await api('POST', '/snapshots', { token: visitor.token, body: { fileId: file.id } })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } })

		// Edit link: an editor may freeze; so may the owner.
		await w.patchFile(owner, file.id, { sharedLinkType: 'edit' })
		const byEditor = await api('POST', '/snapshots', { token: visitor.token, body: { fileId: file.id } })
		const byOwner = await api('POST', '/snapshots', { token: owner.token, body: { fileId: file.id } })
		expect([byEditor.status, byOwner.status]).toEqual([201, 201])
		const [s1, s2] = [byEditor.body.slug as string, byOwner.body.slug as string]
		expect((await api('GET', `/snapshot/${s1}`)).status).toBe(200)

		// Only the owner sees the list.
		expect(await api('GET', `/app/file/${file.id}/snapshots`, { token: visitor.token })).toMatchObject({ status: 403 })
		const list = await api('GET', `/app/file/${file.id}/snapshots`, { token: owner.token })
		expect(list.status).toBe(200)
		expect(list.body.snapshots.map((s: { slug: string }) => s.slug).sort()).toEqual([s1, s2].sort())
		expect(list.body.snapshots.find((s: { slug: string }) => s.slug === s1)).toMatchObject({ createdBy: visitor.userId, createdAt: expect.any(String) })

		// The owner revokes one; a slug of another file is not theirs to delete here.
		expect(await api('DELETE', `/app/file/${file.id}/snapshots/${s1}`, { token: visitor.token })).toMatchObject({ status: 403 })
		expect(await api('DELETE', `/app/file/${file.id}/snapshots/${s1}`, { token: owner.token })).toMatchObject({ status: 200 })
		expect((await api('GET', `/snapshot/${s1}`)).status).toBe(404)
		const other = await w.createFile(owner)
		expect(await api('DELETE', `/app/file/${other.id}/snapshots/${s2}`, { token: owner.token })).toMatchObject({ status: 404 })
		expect((await api('GET', `/snapshot/${s2}`)).status).toBe(200)

		// Deleting the file takes the rest with it.
		expect((await api('DELETE', `/app/file/${file.id}`, { token: owner.token })).status).toBe(200)
		expect((await api('GET', `/snapshot/${s2}`)).status).toBe(404)
	})
})
