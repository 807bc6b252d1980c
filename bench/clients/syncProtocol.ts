/**
 * The parts of tldraw's sync wire format the load generator writes and reads (sync-core 5.4:
 * src/lib/protocol.ts and src/lib/diff.ts). Op tags are strings: RecordOpType 'put' | 'patch' | 'remove',
 * ValueOpType 'put' | 'delete' | 'append' | 'patch'. sync-core's published types leave these out
 * (they are @internal), so they are written down here.
 */
import * as syncCore from '@tldraw/sync-core'
import { schema } from '../../schema/index.ts'

export type ValueOp = ['put', unknown] | ['delete'] | ['append', unknown, number] | ['patch', ObjectDiff]
export type ObjectDiff = Record<string, ValueOp>
export type RecordOp = ['put', { id: string; typeName: string; [key: string]: unknown }] | ['patch', ObjectDiff] | ['remove']
export type NetworkDiff = Record<string, RecordOp>

/** `getTlsyncProtocolVersion` is exported at run time but missing from the published typings. */
export const PROTOCOL_VERSION = (syncCore as unknown as { getTlsyncProtocolVersion: () => number }).getTlsyncProtocolVersion()

export const SERIALIZED_SCHEMA = schema.serialize()

/**
 * Splits a message in two the way sync-core's `chunk()` does for large messages: each part is prefixed
 * with the number of parts still to come (`1_…`, `0_…`), and the room reassembles them in memory.
 */
export function splitInTwoChunks(message: string): [string, string] {
	const half = Math.ceil(message.length / 2)
	return [`1_${message.slice(0, half)}`, `0_${message.slice(half)}`]
}
