/** Fills a room with geo shapes through the sync protocol, as a client drawing them would. */
import { firstPageId, geoShape } from './shapes.ts'
import type { NetworkDiff } from './syncProtocol.ts'
import { TldrawProtocolClient } from './tldrawProtocolClient.ts'

/** ~700 bytes a shape: 200 a push keeps every frame far below the 1 MiB WebSocket frame limit. */
const SHAPES_PER_PUSH = 200

export async function populateRoom(roomUrl: string, shapeCount: number): Promise<void> {
	const { client, connect } = await TldrawProtocolClient.join(roomUrl)
	try {
		const pageId = firstPageId(connect)
		for (let start = 0; start < shapeCount; start += SHAPES_PER_PUSH) {
			const diff: NetworkDiff = {}
			for (let i = start; i < Math.min(shapeCount, start + SHAPES_PER_PUSH); i++) {
				const id = `shape:fill-${i}`
				diff[id] = ['put', geoShape(pageId, id, (i % 100) * 120, Math.floor(i / 100) * 120)]
			}
			await client.pushAndWait(diff)
		}
	} finally {
		client.close()
	}
}
