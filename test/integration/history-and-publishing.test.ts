/**
 * What an owner does with a file besides drawing on it: history with diff and restore, publishing,
 * frozen snapshots, duplicates, .tldr round trips and the document API — against the real worker, the
 * run's Postgres and real tldraw clients. Exports run every 200 ms here so versions appear quickly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, uniq } from '../helpers/api'
import { createTestKeys, requireDatabaseUrl, TEST_ORIGIN } from '../helpers/auth'
import { defaultCardShapeProps } from '../../schema/index.ts'
import { connectClient, makeCardShape, makeGeoShape, stockSchema, waitFor, waitForAcks, type TestClient } from '../helpers/tldrawClient'
import { startHarness } from '../helpers/worker'

const keys = createTestKeys()
let harness: Awaited<ReturnType<typeof startHarness>>
const clients: TestClient[] = []

beforeAll(async () => {
	harness = await startHarness({
		DATABASE_URL: requireDatabaseUrl(),
		CLERK_JWT_KEY: keys.publicPem,
		ALLOWED_ORIGINS: TEST_ORIGIN,
		PERSIST_INTERVAL_MS: '200',
	})
})

afterAll(async () => {
	for (const c of clients) c.close()
	await harness?.server.close()
})

const api = apiClient(() => harness.url)

async function owner() {
	const userId = `owner_${uniq()}`
	const token = await keys.token(userId)
	const file = (await api('POST', '/app/files', { token, body: { name: 'History test' } })).body as { id: string }
	const client = connectClient(`${harness.url}/app/file/${file.id}`, { accessToken: token })
	clients.push(client)
	await client.loaded
	// The file's name reaches the document at connect: a change exported as a version of its own, or
	// together with the first edit when that comes within PERSIST_INTERVAL_MS. Waiting for it makes the
	// count deterministic: the name is version 1, and each edit below is exactly one version after it.
	await waitForVersions(`/app/file/${file.id}/history`, token, 1)
	return { userId, token, fileId: file.id, client }
}

const shapeIds = (records: Array<{ id: string; typeName: string }>) => records.filter((r) => r.typeName === 'shape').map((r) => r.id).sort()
const snapshotShapes = (snap: { documents: Array<{ state: { id: string; typeName: string } }> }) => shapeIds(snap.documents.map((d) => d.state))
const clientShapes = (c: TestClient) => shapeIds(c.store.allRecords() as never)

async function waitForVersions(path: string, token: string | undefined, n: number) {
	return waitFor(async () => {
		const versions: Array<{ version: string; clock: number }> = (await api('GET', path, { token })).body.versions
		return versions.length >= n && versions
	}, `${n} versions of ${path}`)
}

describe('history', () => {
	it('lists versions newest first, diffs them, and restores one live (connected clients see it without reloading)', async () => {
		const o = await owner()
		o.client.store.put([makeGeoShape(o.client.store, 'first', 0, 0)])
		await waitForAcks(o.client)
		// The newest version with the first shape (the name's version is older).
		const before = await waitFor(async () => {
			const listed = (await api('GET', `/app/file/${o.fileId}/history`, { token: o.token })).body.versions as Array<{ version: string; clock: number }>
			const newest = listed[0] && (await api('GET', `/app/file/${o.fileId}/history/${listed[0].version}`, { token: o.token })).body
			return newest && snapshotShapes(newest).join() === 'shape:first' && listed
		}, 'a version with the first shape')
		const v1 = before[0]
		o.client.store.put([makeGeoShape(o.client.store, 'second', 100, 0)])
		await waitForAcks(o.client)
		const versions = await waitForVersions(`/app/file/${o.fileId}/history`, o.token, before.length + 1)
		expect(versions[0]!.clock).toBeGreaterThan(versions[1]!.clock)
		expect(versions[1]!.version).toBe(v1!.version)

		const old = (await api('GET', `/app/file/${o.fileId}/history/${v1!.version}`, { token: o.token })).body
		expect(snapshotShapes(old)).toEqual(['shape:first'])

		const diff = (await api('GET', `/app/file/${o.fileId}/history/${v1!.version}/diff`, { token: o.token })).body
		expect(diff.added.map((r: { id: string }) => r.id)).toEqual(['shape:second'])
		expect(diff.removed).toEqual([])
		const between = (await api('GET', `/app/file/${o.fileId}/history/${v1!.version}/diff?against=${versions[0]!.version}`, { token: o.token })).body
		expect(between.added.map((r: { id: string }) => r.id)).toEqual(['shape:second'])

		const restored = await api('POST', `/app/file/${o.fileId}/history/${v1!.version}/restore`, { token: o.token })
		expect(restored.status).toBe(200)
		expect(restored.body.restored).toBe(v1!.version)
		await waitFor(() => clientShapes(o.client).join() === 'shape:first', 'the restore to reach the connected client')
		expect(o.client.socket.connectionStatus).toBe('online')

		// The restore is itself a version, so it can be undone.
		const after = await waitForVersions(`/app/file/${o.fileId}/history`, o.token, versions.length + 1)
		expect(after[0]!.version).toBe(restored.body.version)
		const undo = await api('POST', `/app/file/${o.fileId}/history/${versions[0]!.version}/restore`, { token: o.token })
		expect(undo.status).toBe(200)
		await waitFor(() => clientShapes(o.client).join() === 'shape:first,shape:second', 'the undo of the restore')
	})

	it('pages through history with a cursor', async () => {
		const o = await owner()
		for (let i = 0; i < 3; i++) {
			o.client.store.put([makeGeoShape(o.client.store, `p${i}`, i * 10, 0)])
			await waitForAcks(o.client)
			await waitForVersions(`/app/file/${o.fileId}/history`, o.token, i + 2)
		}
		// Four versions: the name's and one per shape.
		const page1 = (await api('GET', `/app/file/${o.fileId}/history?limit=3`, { token: o.token })).body
		expect(page1.versions).toHaveLength(3)
		expect(page1.next).not.toBeNull()
		const page2 = (await api('GET', `/app/file/${o.fileId}/history?limit=3&cursor=${page1.next}`, { token: o.token })).body
		expect(page2.versions).toHaveLength(1)
		expect(page2.next).toBeNull()
		expect(new Set([...page1.versions, ...page2.versions].map((v: { version: string }) => v.version)).size).toBe(4)
	})

	it('lets a view-link guest read history but not restore (403); strangers get 403 on a private file', async () => {
		const o = await owner()
		o.client.store.put([makeGeoShape(o.client.store, 'x')])
		await waitForAcks(o.client)
		const [v] = await waitForVersions(`/app/file/${o.fileId}/history`, o.token, 2)
		const stranger = await keys.token(`stranger_${uniq()}`)
		expect((await api('GET', `/app/file/${o.fileId}/history`, { token: stranger })).status).toBe(403)
		expect((await api('GET', `/app/file/${o.fileId}/history`)).status).toBe(401)
		await api('PATCH', `/app/file/${o.fileId}`, { token: o.token, body: { shared: true, sharedLinkType: 'view' } })
		expect((await api('GET', `/app/file/${o.fileId}/history`, { token: stranger })).status).toBe(200)
		const denied = await api('POST', `/app/file/${o.fileId}/history/${v!.version}/restore`, { token: stranger })
		expect(denied).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } })
		expect((await api('GET', `/app/file/${o.fileId}/history/2020-01-01T00:00:00.000Z`, { token: o.token })).status).toBe(404)
		expect((await api('GET', `/app/file/${o.fileId}/history/yesterday`, { token: o.token })).status).toBe(400)
	})

	it('works for anonymous rooms under /r/:roomId', async () => {
		const roomId = `anon-history-${uniq()}`
		const c = connectClient(`${harness.url}/r/${roomId}`)
		clients.push(c)
		await c.loaded
		c.store.put([makeGeoShape(c.store, 'anon')])
		await waitForAcks(c)
		const [v] = await waitForVersions(`/r/${roomId}/history`, undefined, 1)
		c.store.remove(['shape:anon' as never])
		await waitForAcks(c)
		expect((await api('POST', `/r/${roomId}/history/${v!.version}/restore`)).status).toBe(200)
		await waitFor(() => clientShapes(c).join() === 'shape:anon', 'the anonymous restore')
	})
})

describe('history chain', () => {
	it('reads every version of a chain (checkpoint + change sets) exactly: get, diff, .tldr download, duplicate', async () => {
		const o = await owner()
		const path = `/app/file/${o.fileId}/history`
		const shapesAt = (records: Array<{ id: string; typeName: string; x?: number }>) =>
			records.filter((r) => r.typeName === 'shape').map((r) => `${r.id}@${r.x}`).sort().join()
		const expected: string[] = []
		const steps: Array<() => void> = [
			// A body of shapes that do not change, so the later change sets are small next to the checkpoint.
			() => o.client.store.put(['a', 'b', ...Array.from({ length: 30 }, (_, i) => `body${i}`)].map((id, i) => makeGeoShape(o.client.store, id, i + 1, 0))),
			() => o.client.store.put([makeGeoShape(o.client.store, 'c', 3, 0)]),
			() => o.client.store.remove(['shape:a' as never]),
			() => o.client.store.update('shape:b' as never, (r) => ({ ...(r as object), x: 20 }) as never),
		]
		for (const [i, step] of steps.entries()) {
			step()
			await waitForAcks(o.client)
			await waitForVersions(path, o.token, i + 2)
			expected.push(shapesAt(o.client.store.allRecords() as never))
		}
		const [named, ...versions] = ((await api('GET', path, { token: o.token })).body.versions as Array<{ version: string; kind: string }>).reverse()
		// The name's version holds no shapes; the body is too big to be a change set on it, so a new chain starts.
		expect([named!.kind, ...versions.map((v) => v.kind)]).toEqual(['checkpoint', 'checkpoint', 'changes', 'changes', 'changes'])

		for (const [i, v] of versions.entries()) {
			const snap = (await api('GET', `${path}/${v.version}`, { token: o.token })).body
			expect(shapesAt(snap.documents.map((d: { state: unknown }) => d.state)), `version ${i + 1}`).toBe(expected[i])
			const res = await fetch(`${harness.url}/app/file/${o.fileId}/download?version=${v.version}`, { headers: { Authorization: `Bearer ${o.token}` } })
			expect(res.status).toBe(200)
			expect(shapesAt(((await res.json()) as { records: never }).records), `download of version ${i + 1}`).toBe(expected[i])
		}
		const diff = (await api('GET', `${path}/${versions[1]!.version}/diff?against=${versions[3]!.version}`, { token: o.token })).body
		expect({ added: diff.added, removed: diff.removed.map((r: { id: string }) => r.id), changed: diff.changed.map((c: { id: string }) => c.id) }).toEqual({
			added: [],
			removed: ['shape:a'],
			changed: ['shape:b'],
		})

		const copy = await api('POST', '/app/files', { token: o.token, body: { duplicateOf: o.fileId, version: versions[2]!.version } })
		expect(copy.status).toBe(201)
		const copied = (await api('GET', `/app/file/${copy.body.id}/snapshot`, { token: o.token })).body.snapshot
		expect(shapesAt(copied.documents.map((d: { state: unknown }) => d.state))).toBe(expected[2])
		expect((await fetch(`${harness.url}/app/file/${o.fileId}/download?version=nope`, { headers: { Authorization: `Bearer ${o.token}` } })).status).toBe(400)
	})
})

describe('publishing and snapshots', () => {
	it('serves a published copy to anyone, updates it on republish and removes it on unpublish', async () => {
		const o = await owner()
		o.client.store.put([makeGeoShape(o.client.store, 'pub1')])
		await waitForAcks(o.client)
		const published = (await api('PATCH', `/app/file/${o.fileId}`, { token: o.token, body: { published: true } })).body
		expect(published.publishedSlug).toBeTruthy()
		const anon = await api('GET', `/app/publish/${published.publishedSlug}`)
		expect(anon.status).toBe(200)
		expect(snapshotShapes(anon.body)).toEqual(['shape:pub1'])

		o.client.store.put([makeGeoShape(o.client.store, 'pub2')])
		await waitForAcks(o.client)
		expect(snapshotShapes((await api('GET', `/app/publish/${published.publishedSlug}`)).body)).toEqual(['shape:pub1'])
		await api('PATCH', `/app/file/${o.fileId}`, { token: o.token, body: { published: true } })
		expect(snapshotShapes((await api('GET', `/app/publish/${published.publishedSlug}`)).body)).toEqual(['shape:pub1', 'shape:pub2'])

		await api('PATCH', `/app/file/${o.fileId}`, { token: o.token, body: { published: false } })
		expect((await api('GET', `/app/publish/${published.publishedSlug}`)).status).toBe(404)
		// The live file stays private throughout.
		expect((await api('GET', `/app/file/${o.fileId}/snapshot`)).status).toBe(401)
	})

	it('freezes a readable room as a snapshot with POST /snapshots', async () => {
		const o = await owner()
		o.client.store.put([makeGeoShape(o.client.store, 'frozen')])
		await waitForAcks(o.client)
		const created = await api('POST', '/snapshots', { token: o.token, body: { fileId: o.fileId } })
		expect(created.status).toBe(201)
		o.client.store.put([makeGeoShape(o.client.store, 'later')])
		await waitForAcks(o.client)
		const frozen = await api('GET', `/snapshot/${created.body.slug}`)
		expect(snapshotShapes(frozen.body)).toEqual(['shape:frozen'])
		const stranger = await keys.token(`stranger_${uniq()}`)
		expect((await api('POST', '/snapshots', { token: stranger, body: { fileId: o.fileId } })).status).toBe(403)
		expect((await api('GET', '/snapshot/nope')).status).toBe(404)
	})
})

describe('duplicate, import and download', () => {
	it('duplicates a file at a past version with exactly that version’s records', async () => {
		const o = await owner()
		o.client.store.put([makeGeoShape(o.client.store, 'v1-only')])
		await waitForAcks(o.client)
		const [v1] = await waitForVersions(`/app/file/${o.fileId}/history`, o.token, 2)
		o.client.store.put([makeGeoShape(o.client.store, 'v2')])
		await waitForAcks(o.client)

		const copy = await api('POST', '/app/files', { token: o.token, body: { duplicateOf: o.fileId, version: v1!.version } })
		expect(copy.status).toBe(201)
		expect(copy.body.name).toBe('History test (copy)')
		const c = connectClient(`${harness.url}/app/file/${copy.body.id}`, { accessToken: o.token })
		clients.push(c)
		await c.loaded
		expect(clientShapes(c)).toEqual(['shape:v1-only'])

		const current = await api('POST', '/app/files', { token: o.token, body: { duplicateOf: o.fileId, name: 'Now' } })
		const snap = (await api('GET', `/app/file/${current.body.id}/snapshot`, { token: o.token })).body
		expect(snapshotShapes(snap.snapshot)).toEqual(['shape:v1-only', 'shape:v2'])

		const stranger = await keys.token(`stranger_${uniq()}`)
		expect((await api('POST', '/app/files', { token: stranger, body: { duplicateOf: o.fileId } })).status).toBe(403)
	})

	it('downloads a .tldr file that imports back with the same records', async () => {
		const o = await owner()
		o.client.store.put([makeGeoShape(o.client.store, 'round', 7, 9)])
		await waitForAcks(o.client)
		const res = await fetch(`${harness.url}/app/file/${o.fileId}/download`, { headers: { Authorization: `Bearer ${o.token}` } })
		expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".*\.tldr"/)
		const tldr = (await res.json()) as { tldrawFileFormatVersion: number; records: Array<{ id: string; typeName: string }> }
		expect(tldr.tldrawFileFormatVersion).toBe(1)
		const imported = await api('POST', '/app/files', { token: o.token, body: { snapshot: tldr } })
		expect(imported.status).toBe(201)
		const snap = (await api('GET', `/app/file/${imported.body.id}/snapshot`, { token: o.token })).body.snapshot
		const shape = snap.documents.find((d: { state: { id: string } }) => d.state.id === 'shape:round').state
		expect([shape.x, shape.y]).toEqual([7, 9])
	})

	it('imports a raw .tldr file posted as the whole body, as tldraw saves it, with the name from ?name=', async () => {
		const o = await owner()
		o.client.store.put([makeCardShape(o.client.store, 'saved', { ...defaultCardShapeProps(), title: 'in a .tldr' })])
		await waitForAcks(o.client)
		const saved = await (await fetch(`${harness.url}/app/file/${o.fileId}/download`, { headers: { Authorization: `Bearer ${o.token}` } })).text()
		const post = (query: string, contentType: string) =>
			api('POST', `/app/files${query}`, { token: o.token, body: saved, headers: { 'Content-Type': contentType } })

		const named = await post('?name=Saved%20copy', 'application/vnd.tldraw+json')
		expect(named).toMatchObject({ status: 201, body: { name: 'Saved copy' } })
		const snap = (await api('GET', `/app/file/${named.body.id}/snapshot`, { token: o.token })).body.snapshot
		expect(snap.documents.find((d: { state: { id: string } }) => d.state.id === 'shape:saved').state.props.title).toBe('in a .tldr')

		const unnamed = await post('', 'application/json')
		expect(unnamed.status).toBe(201)
		expect(typeof unnamed.body.name).toBe('string')
		expect((await post('?name=%07bell', 'application/json')).body).toMatchObject({ code: 'BAD_REQUEST' })
		expect(await api('POST', '/app/files', { token: o.token, body: { tldrawFileFormatVersion: 1, schema: {}, records: [] } })).toMatchObject({
			status: 400,
			body: { code: 'INVALID_SNAPSHOT' },
		})
	})
})

describe('document API', () => {
	it('applies records with the right clock (live clients see them) and answers 409 to a stale clock, changing nothing', async () => {
		const o = await owner()
		const { clock } = (await api('GET', `/app/file/${o.fileId}/metadata`, { token: o.token })).body
		const shape = makeGeoShape(o.client.store, 'bot', 1, 1)
		const ok = await api('POST', `/app/file/${o.fileId}/records`, { token: o.token, body: { put: [shape], expectedClock: clock } })
		expect(ok.status).toBe(200)
		await waitFor(() => o.client.store.has('shape:bot' as never), 'the bot shape on the live client')

		const stale = await api('POST', `/app/file/${o.fileId}/records`, { token: o.token, body: { remove: ['shape:bot'], expectedClock: clock } })
		expect(stale).toMatchObject({ status: 409, body: { code: 'CLOCK_MISMATCH', clock: ok.body.clock } })
		expect(o.client.store.has('shape:bot' as never)).toBe(true)

		const bad = await api('POST', `/app/file/${o.fileId}/records`, { token: o.token, body: { put: [{ ...shape, id: 'shape:bad', props: { w: 'wide' } }] } })
		expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_RECORD', typeName: 'shape' } })

		// Custom shapes (schema/) go through the same API; a failure names the record type and property only.
		const card = makeCardShape(o.client.store, 'api-card', { ...defaultCardShapeProps(), title: 'via the API' }) as unknown as { props: object }
		expect((await api('POST', `/app/file/${o.fileId}/records`, { token: o.token, body: { put: [card] } })).status).toBe(200)
		await waitFor(() => o.client.store.has('shape:api-card' as never), 'the API card on the live client')
		const badCard = await api('POST', `/app/file/${o.fileId}/records`, {
			token: o.token,
			body: { put: [{ ...card, id: 'shape:bad-card', props: { ...card.props, color: 'secret-colour' } }] },
		})
		expect(badCard).toMatchObject({ status: 400, body: { code: 'INVALID_RECORD', typeName: 'shape', path: 'props.color' } })
		expect(JSON.stringify(badCard.body)).not.toContain('secret-colour')

		const meta = (await api('GET', `/app/file/${o.fileId}/metadata`, { token: o.token })).body
		expect(meta).toMatchObject({ sessions: 1 })
		expect(meta.bytes).toBeGreaterThan(0)
	})

	it('closes a stock tldraw client with CLIENT_TOO_OLD before a records-API put brings it a card; the put applies for everyone else', async () => {
		const o = await owner()
		const stock = connectClient(`${harness.url}/app/file/${o.fileId}`, { accessToken: o.token, schema: stockSchema })
		clients.push(stock)
		await stock.loaded
		const geo = makeGeoShape(o.client.store, 'api-geo', 1, 1)
		expect((await api('POST', `/app/file/${o.fileId}/records`, { token: o.token, body: { put: [geo] } })).status).toBe(200)
		await waitFor(() => stock.store.has('shape:api-geo' as never), 'a plain shape on the stock client')

		const card = makeCardShape(o.client.store, 'api-card', { ...defaultCardShapeProps(), title: 'stock cannot draw this' })
		expect((await api('POST', `/app/file/${o.fileId}/records`, { token: o.token, body: { put: [card] } })).status).toBe(200)
		expect(await stock.syncError).toBe('CLIENT_TOO_OLD')
		expect(stock.resets()).toBe(0) // closed before the card was sent, not crashed by it
		await waitFor(() => o.client.store.has('shape:api-card' as never), 'the API card on the card client')
		expect(stock.store.has('shape:api-card' as never)).toBe(false)
	})
})
