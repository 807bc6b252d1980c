/**
 * Issue 14: DELETE /app/me closes the user's live sessions everywhere, including rooms of files other
 * people own (shared with them, or opened through a link while signed in). Bob, a guest in Alice's file
 * next to Carol, deletes his account: his sockets close with NOT_AUTHENTICATED (he no longer exists; the
 * room does), Carol stays and keeps receiving Alice's edits, Alice's document keeps Bob's earlier edits.
 * The job is interrupted half-way and resumes. Attack: Bob's token and sessionId try to push again, during
 * and after the purge; nothing lands and his account does not come back.
 */
import { describe, expect, it } from 'vitest'
import { geoShape } from '../helpers/protocolClient'
import { midway, waitForPurge } from '../helpers/purge'
import { joinRaw } from '../helpers/rawRoomSocket'
import { useSignedInWorker } from '../helpers/signedInWorker'
import { isConnected, makeGeoShape, waitFor, waitForAcks } from '../helpers/tldrawClient'

// One purge step per second, so the test can interrupt the job between two of Bob's files: the window is
// one step long, and a loaded machine may take a few hundred ms per progress poll.
const w = useSignedInWorker({ PURGE_STEP_DELAY_MS: '1000' })

/** TLSocketRoom stores a session's snapshot (what a resume needs) 5 s after its last message: a sync-core constant with no event. */
const SESSION_SNAPSHOT_DEBOUNCE_MS = 5_000

describe('deleting an account closes its sessions in other people’s rooms', () => {
	it.each(['awake', 'hibernated'] as const)('room %s: Bob’s sessions close, Carol’s continue, Alice’s document stays, nothing of Bob’s comes back', async (roomState) => {
		const [alice, bob, carol] = [await w.user('alice'), await w.user('bob'), await w.user('carol')]
		const file = await w.createFile(alice, { name: 'Alice’s plans' })
		await w.patchFile(alice, file.id, { shared: true, sharedLinkType: 'edit' })
		const path = `/app/file/${file.id}`
		// Bob owns two files, so the job has a point between two steps to be interrupted at.
		for (const name of ['one', 'two']) await w.createFile(bob, { name })

		const aliceClient = w.openFile(file.id, alice)
		const bobClient = w.openFile(file.id, bob)
		const carolClient = w.openFile(file.id, carol)
		await Promise.all([aliceClient.loaded, bobClient.loaded, carolClient.loaded])
		// A second session of Bob's, driven by hand: the attacker.
		const bobRaw = await joinRaw(w.url(), path, { accessToken: bob.token })
		expect(bobRaw.connect?.isReadonly).toBe(false)
		bobClient.store.put([makeGeoShape(bobClient.store, 'bob-before')])
		await waitForAcks(bobClient)
		await waitFor(() => carolClient.store.has('shape:bob-before' as never), 'Carol to see Bob’s shape')
		if (roomState === 'hibernated') {
			// (With a margin for a loaded machine, where workerd's timer fires late.)
			await new Promise((r) => setTimeout(r, SESSION_SNAPSHOT_DEBOUNCE_MS + 2_000))
			await w.server().getWorker().evictDurableObject('ROOM', { name: `file:${file.id}`, webSockets: 'hibernate' })
		}

		const started = await w.api('DELETE', '/app/me', { token: bob.token, body: { confirm: bob.userId } })
		expect(started.status).toBe(202)
		// From the moment the job runs, Bob's token opens no new session, though his row still exists.
		const during = await joinRaw(w.url(), path, { accessToken: bob.token })
		expect(during.refused).toBe('NOT_AUTHENTICATED')
		await waitForPurge(w.api, bob.token, midway, 'the purge to be between two files')
		await w.server().getWorker().evictDurableObject('PURGE', { name: `purge:${bob.userId}` })

		// The resumed job closes both of Bob's sessions, with the reason a stock client shows and does not retry.
		expect(await bobRaw.client.waitClosed(30_000)).toEqual({ code: 4099, reason: 'NOT_AUTHENTICATED' })
		expect(await bobClient.syncError).toBe('NOT_AUTHENTICATED')
		await waitForPurge(w.api, bob.token, (p) => p.state === 'idle', 'the purge to finish')

		// Attack: Bob pushes on his closed socket, and reconnects with the same sessionId and pushes at once.
		bobRaw.ws.send(JSON.stringify({ type: 'push', clientClock: 99, diff: { 'shape:bob-attack': ['put', geoShape('bob-attack')] } }))
		const again = await joinRaw(w.url(), path, { accessToken: bob.token, sessionId: bobRaw.sessionId })
		if (again.connect) await again.client.putRecord(geoShape('bob-attack'))
		expect(again.refused).toBe('NOT_AUTHENTICATED')
		// His token creates nothing, and his account does not come back.
		expect((await w.api('POST', '/app/files', { token: bob.token, body: {} })).status).toBe(401)
		expect((await w.sql('SELECT 1 FROM "user" WHERE id = $1 UNION ALL SELECT 1 FROM file_state WHERE "userId" = $1', [bob.userId])).rows).toEqual([])

		// Alice edits after all that; Carol, still in the room, sees it, and nothing of the attack came before it.
		aliceClient.store.put([makeGeoShape(aliceClient.store, 'alice-after')])
		await waitForAcks(aliceClient)
		await waitFor(() => carolClient.store.has('shape:alice-after' as never), 'Carol to see Alice’s later edit', 15_000)
		expect(isConnected(carolClient)).toBe(true)
		expect(carolClient.store.has('shape:bob-attack' as never)).toBe(false)
		const snapshot = (await w.api('GET', `${path}/snapshot`, { token: alice.token })).body.snapshot as { documents: Array<{ state: { id: string } }> }
		const ids = snapshot.documents.map((d) => d.state.id)
		expect(ids).toEqual(expect.arrayContaining(['shape:bob-before', 'shape:alice-after']))
		expect(ids).not.toContain('shape:bob-attack')
		expect(JSON.stringify(bobRaw.client.messages)).not.toContain('alice-after')
	})
})
