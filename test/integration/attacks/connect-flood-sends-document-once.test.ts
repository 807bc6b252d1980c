/**
 * Attack (issue 12 item 5): `connect` frames were free, and each one makes the room serialise and send
 * the whole document, so one small frame repeated turned a reader into an amplifier (300 frames on a
 * 3,000-shape document sent 233 MB). Now a socket gets one `connect`; a second closes it with
 * `4099 DUPLICATE_CONNECT` (src/room/SessionGate.ts), so a flood costs at most one document per socket
 * (and new sockets are charged by ROOM_CONNECT_RATE_LIMITER).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { geoShape } from '../../helpers/protocolClient'
import { joinRaw } from '../../helpers/rawRoomSocket'
import { startHarness } from '../../helpers/worker'
import { getTlsyncProtocolVersion } from '../../helpers/syncCoreInternals'
import { createTLSchema } from '@tldraw/tlschema'

let harness: Awaited<ReturnType<typeof startHarness>>

beforeAll(async () => {
	harness = await startHarness()
})

afterAll(async () => {
	await harness?.server.close()
})

const SHAPES = 500
const EXTRA_CONNECTS = 50

it(`${EXTRA_CONNECTS} repeated connects on a ${SHAPES}-shape document make the room send it once, then close the socket`, async () => {
	const roomId = `flood-${Date.now().toString(36)}`
	const writer = await joinRaw(harness.url, `/r/${roomId}`)
	const diff = Object.fromEntries(Array.from({ length: SHAPES }, (_, i) => [`shape:s${i}`, ['put', geoShape(`s${i}`, i, i)]]))
	expect((await writer.client.push(diff)).action).toBe('commit')

	// A read-only viewer (by slug) is enough for the attack.
	const { slug } = (await (await fetch(`${harness.url}/r/${roomId}/readonly-slug`)).json()) as { slug: string }
	const reader = await joinRaw(harness.url, `/ro/${slug}`)
	const documentBytes = reader.bytesReceived()
	expect(documentBytes).toBeGreaterThan(SHAPES * 300)

	const connect = { type: 'connect', lastServerClock: -1, protocolVersion: getTlsyncProtocolVersion(), schema: createTLSchema().serialize() }
	for (let i = 0; i < EXTRA_CONNECTS; i++) reader.ws.send(JSON.stringify({ ...connect, connectRequestId: `flood-${i}` }))
	// Either the room closes the socket, or (the old behaviour) it answers every connect with the document.
	await Promise.race([
		reader.client.waitClosed(30_000),
		reader.client.next((m) => m.type === 'connect' && m.connectRequestId === `flood-${EXTRA_CONNECTS - 1}`, 30_000).catch(() => reader.client.waitClosed()),
	])
	const sent = reader.bytesReceived()
	console.info(`connect flood: ${EXTRA_CONNECTS + 1} connects on ${documentBytes} B of document → ${sent} B sent`)
	expect(sent, `bytes the room sent for ${EXTRA_CONNECTS + 1} connects`).toBeLessThan(2 * documentBytes)
	expect(reader.client.closed).toEqual({ code: 4099, reason: 'DUPLICATE_CONNECT' })

	// The room is unharmed: the writer keeps pushing.
	expect((await writer.client.putRecord(geoShape('after'))).action).toBe('commit')
	writer.ws.close()
})
