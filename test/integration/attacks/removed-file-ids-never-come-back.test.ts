/**
 * Issue 12 item 14. Rooms and history are keyed by file id, so a file id whose row was removed (the `user`
 * cascade, a purge, plain SQL) must never be handed out again: whoever recreated it would open the old
 * room and its content. Attack: alice draws in a file, her user row is removed, mallory proposes the same
 * id over her user socket.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { outcomeOf, useSignedInWorker } from '../../helpers/signedInWorker'
import { makeGeoShape, waitForAcks } from '../../helpers/tldrawClient'

const w = useSignedInWorker()

describe('a removed file id never comes back', () => {
	it('refuses a proposed id whose file was removed by the user cascade, so its old room stays closed', async () => {
		const alice = await w.user('alice')
		const mallory = await w.user('mallory')
		const aliceSocket = await w.openUserSocket(alice)
		const fileId = randomUUID()
		expect((await aliceSocket.outcome(aliceSocket.mutate('createFile', { id: fileId, name: 'Secret plans' }))).type).toBe('commit')

		const drawing = w.openFile(fileId, alice)
		await drawing.loaded
		drawing.store.put([makeGeoShape(drawing.store, 'shape:secret')])
		await waitForAcks(drawing)
		drawing.close()
		aliceSocket.close()

		await w.sql('DELETE FROM "user" WHERE id = $1', [alice.userId])

		const mallorySocket = await w.openUserSocket(mallory)
		const outcome = await mallorySocket.outcome(mallorySocket.mutate('createFile', { id: fileId, name: 'mine now' }))
		expect(outcome).toMatchObject({ type: 'reject', code: 'ALREADY_EXISTS' })
		expect(await outcomeOf(w.openFile(fileId, mallory))).toBe('NOT_FOUND')
		// Not even plain SQL brings it back.
		await expect(w.sql('INSERT INTO "file" (id, "ownerId") VALUES ($1, $2)', [fileId, mallory.userId])).rejects.toThrow(/cannot be used again/)
	})

	it('accepts only UUIDs as proposed ids', async () => {
		const mallory = await w.user('mallory')
		const s = await w.openUserSocket(mallory)
		const outcome = await s.outcome(s.mutate('createFile', { id: 'victims-next-file' }))
		expect(outcome).toMatchObject({ type: 'reject', code: 'BAD_REQUEST' })
	})
})
