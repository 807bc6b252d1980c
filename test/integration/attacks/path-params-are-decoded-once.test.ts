/**
 * Issue 12 item 15. Clients build paths with `encodeURIComponent`, which encodes the `:` of a history
 * version; the router hands parameters over still encoded. Every parameter must be decoded exactly once and
 * then validated: the encoded form works like the plain one, a doubly encoded one is refused, and an
 * encoded `/` cannot smuggle a path into an id.
 */
import { describe, expect, it } from 'vitest'
import { useSignedInWorker } from '../../helpers/signedInWorker'
import { makeGeoShape, waitFor, waitForAcks } from '../../helpers/tldrawClient'

const w = useSignedInWorker({ PERSIST_INTERVAL_MS: '200' })

function firstVersion(fileId: string, token: string): Promise<string> {
	return waitFor(async () => {
		const versions = (await w.api('GET', `/app/file/${fileId}/history`, { token })).body.versions as Array<{ version: string }>
		return versions.at(-1)?.version
	}, 'a history version')
}

describe('path parameters are decoded once, then validated', () => {
	it('answers an encodeURIComponent-built history path like the plain one, and refuses double encoding', async () => {
		const owner = await w.user('owner')
		const file = await w.createFile(owner)
		const c = w.openFile(file.id, owner)
		await c.loaded
		c.store.put([makeGeoShape(c.store, 'shape:encoded')])
		await waitForAcks(c)
		const version = await firstVersion(file.id, owner.token)
		expect(version).toContain(':')

		const plain = await w.api('GET', `/app/file/${file.id}/history/${version}`, { token: owner.token })
		expect(plain.status).toBe(200)
		const encoded = await w.api('GET', `/app/file/${file.id}/history/${encodeURIComponent(version)}`, { token: owner.token })
		expect(encoded).toMatchObject({ status: 200, body: plain.body })
		const diff = await w.api('GET', `/app/file/${file.id}/history/${encodeURIComponent(version)}/diff`, { token: owner.token })
		expect(diff).toMatchObject({ status: 200, body: { from: version } })
		const restore = await w.api('POST', `/app/file/${file.id}/history/${encodeURIComponent(version)}/restore`, { token: owner.token })
		expect(restore).toMatchObject({ status: 200, body: { restored: version } })
		// An id spelled with escapes is the same id.
		const escapedId = [...file.id].map((ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')
		expect(await w.api('GET', `/app/file/${escapedId}`, { token: owner.token })).toMatchObject({ status: 200, body: { id: file.id } })

		const twice = await w.api('GET', `/app/file/${file.id}/history/${encodeURIComponent(encodeURIComponent(version))}`, { token: owner.token })
		expect(twice).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } })
		expect(await w.api('GET', `/app/file/${file.id}%2Fhistory`, { token: owner.token })).toMatchObject({ status: 400, body: { code: 'INVALID_ID' } })
		expect(await w.api('GET', `/app/file/${file.id}/history/%E0%A4%A`, { token: owner.token })).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } })
	})
})
