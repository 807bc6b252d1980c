/**
 * A user's data: GET /app/me/export returns a zip with their row, their file list and each file as .tldr;
 * DELETE /app/me purges everything they own — Postgres rows, rooms, every R2 bucket — even when the purge
 * job is interrupted half-way, closes live sessions with NOT_FOUND, and their file ids never come back.
 * Checked by listing every R2 bucket, each room's storage and Postgres afterwards.
 */
import { describe, expect, it } from 'vitest'
import { SAMPLE_UPLOADS } from '../fakes/uploadFixtures'
import { uniq } from '../helpers/api'
import { waitForPurge } from '../helpers/purge'
import { readZip } from '../helpers/readZip'
import { useSignedInWorker, type Actor } from '../helpers/signedInWorker'
import { makeGeoShape, waitForAcks } from '../helpers/tldrawClient'
import { waitFor } from '../helpers/waitFor'

const w = useSignedInWorker({
	PERSIST_INTERVAL_MS: '200',
	// One purge step per second, so the test can interrupt the job between two files (a loaded machine may
	// take a few hundred ms to poll its progress).
	PURGE_STEP_DELAY_MS: '1000',
})
const { api, user, createFile } = w
const BUCKETS = ['ROOMS', 'ROOM_HISTORY', 'SNAPSHOTS', 'UPLOADS'] as const

async function waitForVersion(fileId: string, u: Actor) {
	await waitFor(async () => ((await api('GET', `/app/file/${fileId}/history`, { token: u.token })).body.versions as unknown[]).length > 0, `an exported version of ${fileId}`)
}


/** Opens the file as `who`, draws a shape and waits until a version with it is exported. */
async function drawOn(fileId: string, who: Actor, shapeId: string) {
	const c = w.openFile(fileId, who)
	await c.loaded
	c.store.put([makeGeoShape(c.store, shapeId)])
	await waitForAcks(c)
	await waitForVersion(fileId, who)
	return c
}

/** Alice owns three files with content in every kind of storage; Bob owns one and follows Alice's first. */
async function populate() {
	const alice = await user('alice')
	const bob = await user('bob')
	const aliceSocket = await w.openUserSocket(alice)
	const drawn = await createFile(alice, { name: 'Drawn' })
	const aliceClient = await drawOn(drawn.id, alice, 'alice-shape')
	const imported = await createFile(alice, { name: 'Imported', snapshot: { tldrawFileFormatVersion: 1, schema: aliceClient.store.schema.serialize(), records: aliceClient.store.allRecords().filter((r) => r.typeName !== 'instance') } })
	const empty = await createFile(alice, { name: 'Empty' })
	// Published, frozen, shared with Bob who has it open.
	const published = await api('PATCH', `/app/file/${drawn.id}`, { token: alice.token, body: { published: true, shared: true, sharedLinkType: 'view' } })
	expect(published.status).toBe(200)
	const frozen = await api('POST', '/snapshots', { token: alice.token, body: { fileId: drawn.id } })
	expect(frozen.status).toBe(201)
	const objectName = `alice-upload-${uniq()}.png`
	const up = await fetch(`${w.url()}/app/uploads/${objectName}?fileId=${drawn.id}`, { method: 'POST', headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'image/png' }, body: SAMPLE_UPLOADS['image/png'] })
	expect(up.status).toBe(201)
	await w.openUserSocket(bob)
	const bobClient = w.openFile(drawn.id, bob)
	await bobClient.loaded
	const bobFile = await createFile(bob, { name: 'Bob keeps this' })
	await drawOn(bobFile.id, bob, 'bob-shape')
	await waitFor(async () => (await w.sql('SELECT 1 FROM asset WHERE "objectName" = $1', [objectName])).rows.length, 'the asset row', 20_000)
	return {
		alice,
		bob,
		aliceClient,
		aliceSocket,
		bobClient,
		files: [drawn, imported, empty],
		bobFile,
		publishedSlug: published.body.publishedSlug as string,
		frozenSlug: frozen.body.slug as string,
		objectName,
	}
}

async function allR2Keys(): Promise<Record<string, string[]>> {
	const env = (await w.server().getWorker().getEnv()) as Record<string, R2Bucket>
	const out: Record<string, string[]> = {}
	for (const name of BUCKETS) {
		out[name] = []
		let cursor: string | undefined
		do {
			const page = await env[name]!.list({ cursor, limit: 1000 })
			out[name]!.push(...page.objects.map((o) => o.key))
			cursor = page.truncated ? page.cursor : undefined
		} while (cursor)
	}
	return out
}

/**
 * Rows in a Durable Object's storage, table by table: its SQL tables and workerd's key-value table
 * (`_cf_KV`, which deleteAll drops). Left out: SQLite's own tables and `__miniflare_do_name`, where the local simulator records
 * each object's name (Cloudflare does not).
 */
async function objectRows(binding: 'ROOM' | 'USER', name: string): Promise<Record<string, number>> {
	const sql = await w.server().getWorker().getDurableObjectStorage(binding, { name })
	const tables = (await sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '__miniflare_do_name' AND name <> '_cf_METADATA'")) as Array<{ name: string }>
	const out: Record<string, number> = {}
	for (const { name: table } of tables) {
		// workerd's own tables cannot be read from outside; one that exists is counted as holding data.
		out[table] = table.startsWith('_cf_') ? 1 : ((await sql.exec(`SELECT COUNT(*) AS n FROM "${table}"`)) as Array<{ n: number }>)[0]!.n
	}
	return out
}
const roomRows = (fileId: string) => objectRows('ROOM', `file:${fileId}`)
const withRows = (rows: Record<string, number>) => Object.entries(rows).filter(([, n]) => n > 0)

describe('GET /app/me/export', () => {
	it('is a zip of the user row, the file list and every owned file as .tldr', async () => {
		const d = await populate()
		expect((await fetch(`${w.url()}/app/me/export`)).status).toBe(401)
		const res = await fetch(`${w.url()}/app/me/export`, { headers: { Authorization: `Bearer ${d.alice.token}` } })
		expect(res.status).toBe(200)
		expect(res.headers.get('content-type')).toBe('application/zip')
		const zip = readZip(new Uint8Array(await res.arrayBuffer()))
		expect(JSON.parse(zip.get('user.json')!).user.id).toBe(d.alice.userId)
		const files = JSON.parse(zip.get('files.json')!).files as Array<{ id: string; name: string }>
		expect(files.map((f) => f.id).sort()).toEqual(d.files.map((f) => f.id).sort())
		expect(files.map((f) => f.id)).not.toContain(d.bobFile.id)
		const tldr = (fileId: string) => {
			const name = [...zip.keys()].find((k) => k.endsWith(`(${fileId}).tldr`))
			expect(name, `a .tldr for ${fileId}`).toBeDefined()
			return JSON.parse(zip.get(name!)!) as { tldrawFileFormatVersion: number; records: Array<{ id: string }> }
		}
		expect(tldr(d.files[0]!.id).records.map((r) => r.id)).toContain('shape:alice-shape')
		expect(tldr(d.files[1]!.id).records.map((r) => r.id)).toContain('shape:alice-shape')
		expect(tldr(d.files[2]!.id).tldrawFileFormatVersion).toBe(1)
		// The .tldr imports back as a new file.
		const reimport = await api('POST', '/app/files', { token: d.bob.token, body: { snapshot: tldr(d.files[0]!.id) } })
		expect(reimport.status).toBe(201)
	})
})

describe('DELETE /app/me', () => {
	it('asks for confirmation and needs a signed-in user', async () => {
		const carol = await user('carol')
		expect((await api('DELETE', '/app/me', { body: { confirm: carol.userId } })).status).toBe(401)
		const missing = await api('DELETE', '/app/me', { token: carol.token, body: {} })
		expect(missing.status).toBe(400)
		const wrong = await api('DELETE', '/app/me', { token: carol.token, body: { confirm: 'someone-else' } })
		expect(wrong.body.code).toBe('CONFIRMATION_REQUIRED')
	})

	it('purges everything the user owns, across an interruption half-way, and leaves others alone', async () => {
		const d = await populate()
		const ids = d.files.map((f) => f.id)
		const secrets = [d.alice.userId, ...ids, d.publishedSlug, d.frozenSlug, d.objectName]
		const before = await allR2Keys()
		// Sanity: the search below can find Alice's objects while they exist.
		for (const s of [ids[0]!, ids[1]!, d.publishedSlug, d.frozenSlug, d.objectName]) expect(JSON.stringify(before), s).toContain(s)

		const started = await api('DELETE', '/app/me', { token: d.alice.token, body: { confirm: d.alice.userId } })
		expect(started.status).toBe(202)
		// Interrupt the job between two files: its in-memory state is lost, as in a crash or a deploy.
		const progress = await waitForPurge(api, d.alice.token, (p) => (p.filesDone ?? 0) >= 1, 'the purge to finish its first file')
		expect(progress.state).toBe('running')
		expect(progress.filesDone).toBeLessThan(progress.filesTotal!)
		await w.server().getWorker().evictDurableObject('PURGE', { name: `purge:${d.alice.userId}` })

		// Live sessions on her files end with NOT_FOUND: hers and Bob's.
		expect(await d.aliceClient.syncError).toBe('NOT_FOUND')
		expect(await d.bobClient.syncError).toBe('NOT_FOUND')
		// Her user-data socket too, once her rows are gone.
		expect(await waitFor(() => d.aliceSocket.closed, 'the user socket to close', 20_000)).toMatchObject({ code: 4401 })
		// The job resumes by itself (its alarm) and finishes.
		await waitForPurge(api, d.alice.token, (p) => p.state === 'idle', 'the purge to finish')
		// Running it again is harmless.
		const again = await api('DELETE', '/app/me', { token: d.alice.token, body: { confirm: d.alice.userId } })
		expect([200, 202]).toContain(again.status)
		if (again.body.state !== 'done' && again.body.state !== 'idle') await waitForPurge(api, d.alice.token, (p) => p.state === 'done' || p.state === 'idle', 'the second purge to finish')

		// Postgres: nothing of Alice's; Bob and his file are untouched.
		const pgLeft = await w.sql(
			`SELECT (SELECT COUNT(*) FROM "user" WHERE id = $1) + (SELECT COUNT(*) FROM file WHERE "ownerId" = $1 OR id = ANY($2))
			      + (SELECT COUNT(*) FROM file_state WHERE "userId" = $1 OR "fileId" = ANY($2)) + (SELECT COUNT(*) FROM asset WHERE "userId" = $1 OR "objectName" = $3 OR "fileId" = ANY($2))
			      + (SELECT COUNT(*) FROM user_mutation_number WHERE "userId" = $1) AS n`,
			[d.alice.userId, ids, d.objectName],
		)
		expect(Number(pgLeft.rows[0].n)).toBe(0)
		expect((await w.sql('SELECT 1 FROM file WHERE id = $1', [d.bobFile.id])).rows).toHaveLength(1)
		expect((await w.sql('SELECT 1 FROM "user" WHERE id = $1', [d.bob.userId])).rows).toHaveLength(1)

		// Every R2 bucket, listed in full: no key names any of Alice's ids; Bob's objects are still there.
		const after = await allR2Keys()
		for (const s of secrets) expect(JSON.stringify(after), s).not.toContain(s)
		expect(after.ROOMS).toContain(`file/${d.bobFile.id}`)

		// The rooms' storage: no document, no metadata, nothing.
		for (const id of ids) {
			const rows = await roomRows(id)
			expect(Object.keys(rows).filter((t) => t.startsWith('tl_')), id).toEqual([])
			expect(withRows(rows).filter(([t]) => t !== 'sw_schema'), id).toEqual([])
		}
		expect(Object.keys(await roomRows(d.bobFile.id)).some((t) => t.startsWith('tl_'))).toBe(true)
		// Her user-data object keeps nothing either (it held her id and stream position).
		expect(withRows(await objectRows('USER', `user:${d.alice.userId}`))).toEqual([])
		expect(withRows(await objectRows('USER', `user:${d.bob.userId}`))).not.toEqual([])

		// Her file ids never come back, whoever asks.
		await expect(w.sql(`INSERT INTO file (id, "ownerId") VALUES ($1, $2)`, [ids[0], d.bob.userId])).rejects.toThrow(/cannot be used again/)
		const reopen = w.openFile(ids[0]!, d.bob)
		expect(await reopen.syncError).toBe('NOT_FOUND')
	})
})
