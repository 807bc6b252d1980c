/**
 * DocumentSizeMeter inside real workerd: the counter SQLite triggers keep on tldraw's `tl_documents`
 * equals the stored size after puts, replacements, patches, removals and a restore, without ever
 * serialising the document.
 */
import { env, runInDurableObject, SELF } from 'cloudflare:test'
import { expect, it } from 'vitest'
import { anonymousRoomAddress } from '../../src/room/RoomAddress'
import { roomStub } from '../../src/stubs'
import { geoShape, ProtocolClient } from '../helpers/protocolClient'

async function join(roomId: string) {
	const res = await SELF.fetch(`http://localhost/r/${roomId}?sessionId=size-${Math.random().toString(36).slice(2)}`, { headers: { Upgrade: 'websocket' } })
	const ws = res.webSocket!
	ws.accept()
	const client = new ProtocolClient(ws as never)
	await client.connect()
	return client
}

/** The counter, and the size counted the slow way, from inside the object. */
function sizes(roomId: string) {
	return runInDurableObject(roomStub(env, anonymousRoomAddress(roomId).roomKey), (_i, state) => ({
		counted: state.storage.sql.exec<{ bytes: number }>('SELECT bytes FROM sw_document_bytes').one().bytes,
		actual: state.storage.sql.exec<{ bytes: number }>('SELECT COALESCE(SUM(length(state)), 0) AS bytes FROM tl_documents').one().bytes,
	}))
}

it('keeps the stored document size exactly, through every kind of write', async () => {
	const roomId = `size-${Date.now().toString(36)}`
	const c = await join(roomId)
	const first = await sizes(roomId)
	expect(first.counted).toBe(first.actual)
	expect(first.actual).toBeGreaterThan(0) // the default page and document records

	await c.push(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`shape:s${i}`, ['put', geoShape(`s${i}`, i, i)]])))
	await c.putRecord(Object.assign(geoShape('s0'), { meta: { note: 'x'.repeat(5_000) } })) // replaces a row
	await c.patchRecord('shape:s1', 'x', 12345)
	await c.push({ 'shape:s2': ['remove'], 'shape:s3': ['remove'] })
	const after = await sizes(roomId)
	expect(after.counted).toBe(after.actual)
	expect(after.actual).toBeGreaterThan(first.actual + 5_000)

	// A server-side edit and a restore go through the same table.
	const stub = roomStub(env, anonymousRoomAddress(roomId).roomKey)
	await stub.applyRecords(anonymousRoomAddress(roomId), { put: [geoShape('api', 1, 1)], remove: ['shape:s4'] })
	const api = await sizes(roomId)
	expect(api.counted).toBe(api.actual)
	c.socket.close(1000, 'done')
})
