/**
 * Growing the schema under live data: a worker built with v1 of the card (the `#schema` import aliased to
 * test/fixtures/schemaV1.ts, as an earlier deploy would have been) stores cards and history; the same
 * on-disk state then runs under today's schema (v2 adds `done`). Old rooms, old history versions and old
 * clients keep working.
 */
import { afterAll, expect, it } from 'vitest'
import { schema as schemaV1 } from '../fixtures/schemaV1.ts'
import { apiClient, uniq } from '../helpers/api'
import { connectClient, makeCardShape, recordOf, updateProps, waitFor, waitForAcks, type TestClient } from '../helpers/tldrawClient'
import { startWranglerDev, tempDir, type DevServer } from '../helpers/worker'

const state = tempDir('schema-upgrade')
let dev: DevServer | null = null
const clients: TestClient[] = []
const api = apiClient(() => dev!.url)

afterAll(async () => {
	for (const c of clients) c.close()
	await dev?.kill()
	state.remove()
})

function join(roomId: string, opts: Parameters<typeof connectClient>[1] = {}) {
	const c = connectClient(`${dev!.url}/r/${roomId}`, opts)
	clients.push(c)
	return c
}

type Card = { props: Record<string, unknown> }
const cardProps = (c: TestClient, id: string) => recordOf<Card>(c, id)?.props

function waitForVersions(roomId: string, n: number): Promise<Array<{ version: string }>> {
	return waitFor(async () => {
		const versions: Array<{ version: string }> = (await api('GET', `/r/${roomId}/history`)).body.versions
		return versions.length >= n && versions
	}, `${n} versions of ${roomId}`)
}

it('restores and diffs a history version written under v1 of the card after the server moved to v2, and serves old clients', async () => {
	const roomId = `upgrade-${uniq()}`

	// ── The v1 deployment ──
	dev = await startWranglerDev({ persistTo: state.dir, alias: { '#schema': './test/fixtures/schemaV1.ts' }, vars: { PERSIST_INTERVAL_MS: '200' } })
	const early = join(roomId, { schema: schemaV1 })
	await early.loaded
	early.store.put([
		makeCardShape(early.store, 'keep', { w: 200, h: 100, title: 'untouched', color: 'green' }, 0, 0),
		makeCardShape(early.store, 'tick', { w: 200, h: 100, title: 'to be ticked', color: 'red' }, 0, 150),
		makeCardShape(early.store, 'drop', { w: 200, h: 100, title: 'to be deleted', color: 'blue' }, 0, 300),
	])
	await waitForAcks(early)
	early.close()
	const [v1Version] = await waitForVersions(roomId, 1)

	// A v2 client reaching the v1 server (the client was deployed first): refused with the reason to wait.
	const tooNew = join(roomId)
	expect(await tooNew.syncError).toBe('SERVER_TOO_OLD')
	await dev.kill('SIGTERM')

	// ── The same state under today's schema ──
	dev = await startWranglerDev({ persistTo: state.dir, vars: { PERSIST_INTERVAL_MS: '200' } })
	const v2 = join(roomId)
	await v2.loaded
	// The room's stored records were migrated on load.
	expect(cardProps(v2, 'shape:keep')).toEqual({ w: 200, h: 100, title: 'untouched', color: 'green', done: false })

	// An old tab (v1 client) still works against the v2 server.
	const oldTab = join(roomId, { schema: schemaV1 })
	await oldTab.loaded
	expect(cardProps(oldTab, 'shape:keep')).toEqual({ w: 200, h: 100, title: 'untouched', color: 'green' })

	updateProps(v2, 'shape:tick', { done: true })
	v2.store.remove(['shape:drop' as never])
	await waitForAcks(v2)
	await waitFor(() => recordOf(oldTab, 'shape:drop') === undefined, 'the delete on the old tab')

	// Diff of the v1 version against now, both read under v2: the untouched card is not "changed".
	const diff = (await api('GET', `/r/${roomId}/history/${v1Version!.version}/diff`)).body
	expect(diff.removed.map((r: { id: string }) => r.id)).toEqual(['shape:drop'])
	expect(diff.added).toEqual([])
	expect(diff.changed.map((c: { id: string }) => c.id)).toEqual(['shape:tick'])
	expect(diff.changed[0].before.props.done).toBe(false)
	expect(diff.changed[0].after.props.done).toBe(true)
	const back = (await api('GET', `/r/${roomId}/history/${v1Version!.version}/diff?against=${v1Version!.version}`)).body
	expect([back.added, back.removed, back.changed]).toEqual([[], [], []])

	// Restoring the v1 version brings the deleted card back and the tick off, live, on both clients.
	expect((await api('POST', `/r/${roomId}/history/${v1Version!.version}/restore`)).status).toBe(200)
	await waitFor(() => cardProps(v2, 'shape:drop') !== undefined && cardProps(v2, 'shape:tick')?.done === false, 'the restore on the v2 client')
	expect(cardProps(v2, 'shape:drop')).toEqual({ w: 200, h: 100, title: 'to be deleted', color: 'blue', done: false })
	await waitFor(() => cardProps(oldTab, 'shape:drop') !== undefined, 'the restore on the old tab')
	expect(cardProps(oldTab, 'shape:drop')).toEqual({ w: 200, h: 100, title: 'to be deleted', color: 'blue' })
})
