/**
 * Issue 12 item 2. Replication sends a file's rows to non-owners only while they may open it. Attack: a
 * guest opens a shared file (so they follow it), then the owner unshares it, renames it and publishes it.
 * The guest's user socket must get a delete for the file and never the new name or the published slug.
 */
import { describe, expect, it } from 'vitest'
import { outcomeOf, useSignedInWorker } from '../../helpers/signedInWorker'

const w = useSignedInWorker({ REPLICATOR_KEEPALIVE_MS: '1000' })

describe('a former guest stops receiving a file', () => {
	it('gets a delete when the file is unshared, then nothing of its rename or publication', async () => {
		const owner = await w.user('owner')
		const guest = await w.user('guest')
		const file = await w.createFile(owner, { name: 'Shared plans' })
		await w.patchFile(owner, file.id, { shared: true, sharedLinkType: 'edit' })

		const guestSocket = await w.openUserSocket(guest)
		const visit = w.openFile(file.id, guest)
		expect(await outcomeOf(visit)).toBe('rw')
		// Following it now: the shared file arrives with the guest's file_state row.
		await guestSocket.waitFor((m) => m.type === 'changes' && JSON.stringify(m.changes).includes('Shared plans'), 'the shared file')
		visit.close()

		await w.patchFile(owner, file.id, { shared: false })
		await w.patchFile(owner, file.id, { name: 'Secret name' })
		const published = await w.patchFile(owner, file.id, { published: true })
		expect(published.publishedSlug).toEqual(expect.any(String))

		// A later commit of the guest's own arrives after every change committed before it.
		const commit = await guestSocket.outcome(guestSocket.mutate('updateUser', { color: '#123456' }))
		expect(commit.type).toBe('commit')

		const fileChanges = guestSocket.changes().filter((c) => c.table === 'file' && c.row.id === file.id)
		expect(fileChanges.at(-1)).toMatchObject({ op: 'delete', row: { id: file.id } })
		const seen = JSON.stringify(guestSocket.messages)
		expect(seen).not.toContain('Secret name')
		expect(seen).not.toContain(published.publishedSlug)
	})
})
