/**
 * Attack (issue 12 item 9): messages that are JSON with a known `type` but not tldraw's sync protocol.
 * `{"type":"push"}` used to be answered `push_result: commit`, and a push whose diff is a string
 * `discard`. Every client message now passes the protocol schema (src/room/clientMessageSchema.ts) first;
 * anything else closes that socket with 1007 `MALFORMED_MESSAGE: <what>` and the room carries on.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { geoShape } from '../../helpers/protocolClient'
import { joinRaw } from '../../helpers/rawRoomSocket'
import { connectClient, makeGeoShape, waitForAcks, type TestClient } from '../../helpers/tldrawClient'
import { startHarness } from '../../helpers/worker'

let harness: Awaited<ReturnType<typeof startHarness>>
const clients: TestClient[] = []

beforeAll(async () => {
	harness = await startHarness()
})

afterAll(async () => {
	for (const c of clients) c.close()
	await harness?.server.close()
})

const shape = geoShape('evil')
/** A valid push split into two chunks, as tldraw's `chunk()` would, except that its diff is a number. */
const splitBadPush = JSON.stringify({ type: 'push', clientClock: 1, diff: 42, pad: 'x'.repeat(40) })

it.each([
	['a push with no clock and no diff', ['{"type":"push"}'], 'MALFORMED_MESSAGE: clientClock'],
	['a push whose diff is a string', ['{"type":"push","clientClock":1,"diff":"nope"}'], 'MALFORMED_MESSAGE: diff'],
	['a push with an unknown record op', [JSON.stringify({ type: 'push', clientClock: 1, diff: { [shape.id]: ['upsert', shape] } })], 'MALFORMED_MESSAGE: diff.shape:evil'],
	['a put whose record has no typeName', [JSON.stringify({ type: 'push', clientClock: 1, diff: { 'shape:x': ['put', { id: 'shape:x' }] } })], 'MALFORMED_MESSAGE: diff.shape:x'],
	['a push with a negative clock', [JSON.stringify({ type: 'push', clientClock: -5, diff: {} })], 'MALFORMED_MESSAGE: clientClock'],
	['a message of an unknown type', ['{"type":"subscribe"}'], 'MALFORMED_MESSAGE:'],
	['a split message whose assembled push is malformed', [`1_${splitBadPush.slice(0, 30)}`, `0_${splitBadPush.slice(30)}`], 'MALFORMED_MESSAGE: diff'],
	['a connect with a string clock, sent after connecting', ['{"type":"connect","connectRequestId":"c","lastServerClock":"0","protocolVersion":8,"schema":{"schemaVersion":2}}'], 'MALFORMED_MESSAGE: lastServerClock'],
])('%s closes only that socket with 1007 and changes nothing', async (_name, frames, reason) => {
	const roomId = `malformed-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
	const good = connectClient(`${harness.url}/r/${roomId}`)
	clients.push(good)
	await good.loaded
	good.store.put([makeGeoShape(good.store, 'before')])
	await waitForAcks(good)

	const evil = await joinRaw(harness.url, `/r/${roomId}`)
	expect(evil.refused).toBeNull()
	const from = evil.client.messages.length
	for (const frame of frames) evil.ws.send(frame)
	const closed = await evil.client.waitClosed()
	expect(closed.code).toBe(1007)
	expect(closed.reason.startsWith(reason)).toBe(true)
	// The room never answered the malformed push.
	expect(evil.client.messages.slice(from).filter((m) => m.type === 'push_result')).toEqual([])

	// The room is unharmed: the stock client keeps editing and a newcomer sees exactly its shapes.
	good.store.put([makeGeoShape(good.store, 'after')])
	await waitForAcks(good)
	const late = await joinRaw(harness.url, `/r/${roomId}`)
	const diff = late.connect!.diff as Record<string, [string, { typeName: string }]>
	const shapes = Object.keys(diff).filter((id) => id.startsWith('shape:')).sort()
	expect(shapes).toEqual(['shape:after', 'shape:before'])
	expect(good.socket.connectionStatus).toBe('online')
	late.ws.close()
})
