/**
 * The durability contract: a push acknowledged with `push_result` survives a SIGKILL of wrangler and
 * workerd. A real `wrangler dev` keeps its state on disk; we kill its whole process group mid-stream.
 */
import { afterAll, expect, it } from 'vitest'
import { geoShape, ProtocolClient } from '../helpers/protocolClient'
import { connectClient, makeGeoShape, waitForAcks } from '../helpers/tldrawClient'
import { startWranglerDev, tempDir, type DevServer } from '../helpers/worker'
import { waitFor } from '../helpers/waitFor'

const state = tempDir('crash')
let dev: DevServer | null = null

afterAll(async () => {
	await dev?.kill()
	state.remove()
})

async function openProtocolClient(baseUrl: string, roomId: string) {
	const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/r/${roomId}?sessionId=p-${Math.random().toString(36).slice(2)}`)
	await new Promise((resolve, reject) => {
		ws.addEventListener('open', resolve, { once: true })
		ws.addEventListener('error', reject, { once: true })
	})
	const client = new ProtocolClient(ws as never)
	await client.connect()
	return client
}

it('keeps every acknowledged edit through a SIGKILL of workerd mid-stream', async () => {
	const roomId = `crash-${Date.now().toString(36)}`
	dev = await startWranglerDev({ persistTo: state.dir })

	// A stock client's edits, acknowledged before the crash.
	const tl = connectClient(`${dev.url}/r/${roomId}`)
	await tl.loaded
	tl.store.put([makeGeoShape(tl.store, 'stock-client', 1, 2)])
	await waitForAcks(tl)
	tl.close()

	// A stream of pushes; the crash lands while some are still in flight.
	const writer = await openProtocolClient(dev.url, roomId)
	const acked: string[] = []
	let stop = false
	const stream = (async () => {
		for (let i = 0; !stop && i < 10_000; i++) {
			const res = await writer.putRecord(geoShape(`s${i}`, i, i)).catch(() => null)
			if (!res) return
			if (res.action === 'commit') acked.push(`shape:s${i}`)
		}
	})()
	await waitFor(() => acked.length >= 30, '30 acknowledged pushes', 30_000)
	await dev.kill('SIGKILL')
	stop = true
	await stream
	expect(acked.length).toBeGreaterThanOrEqual(30)

	dev = await startWranglerDev({ persistTo: state.dir })
	const reader = await openProtocolClient(dev.url, roomId)
	const connect = reader.messages.find((m) => m.type === 'connect')!
	const present = new Set(Object.keys(connect.diff as object))
	const lost = acked.filter((id) => !present.has(id))
	expect(lost).toEqual([])
	expect(present.has('shape:stock-client')).toBe(true)
	reader.socket.close(1000, 'done')
})
