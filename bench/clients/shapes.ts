/** Document content the benchmark writes: geo shapes on the room's first page. */
import { geoShape as testGeoShape } from '../../test/helpers/protocolClient.ts'
import type { NetworkDiff, RecordOp } from './syncProtocol.ts'
import type { ConnectEvent } from './tldrawProtocolClient.ts'

/** The shape every fan-out scenario moves. */
export const MOVED_SHAPE_ID = 'shape:bench-moved'

/** The id of the first page in a full-sync `connect` message. */
export function firstPageId(connect: ConnectEvent): string {
	for (const [id, op] of Object.entries(connect.diff)) {
		if (op[0] === 'put' && op[1].typeName === 'page') return id
	}
	throw new Error('the room has no page')
}

/** A geo shape that passes tlschema 5.4's validators (the server validates every pushed record): the tests' shape. */
export function geoShape(pageId: string, id: string, x: number, y: number): Extract<RecordOp, ['put', unknown]>[1] {
	return testGeoShape(id.replace(/^shape:/, ''), x, y, pageId) as unknown as Extract<RecordOp, ['put', unknown]>[1]
}

/** The push diff that moves `shapeId` to `x` — what TLSyncClient sends when a user drags a shape. */
export function moveDiff(shapeId: string, x: number): NetworkDiff {
	return { [shapeId]: ['patch', { x: ['put', x] }] }
}

/** `x` of `shapeId` if the diff moves it. */
export function movedX(diff: NetworkDiff | undefined, shapeId: string): number | undefined {
	const op = diff?.[shapeId]
	if (op?.[0] !== 'patch') return undefined
	const x = op[1].x
	return x?.[0] === 'put' && typeof x[1] === 'number' ? x[1] : undefined
}
