import { describe, expect, it } from 'vitest'
import type { ClientMessage } from '../../src/room/clientMessageSchema'
import { documentSizeLevel, documentSizeNotice, fitsDocument, pushGrowthBound, recordsBytes } from '../../src/room/documentSize'

const MIB = 1024 * 1024
const shape = { id: 'shape:a', typeName: 'shape' }

describe('document size decisions', () => {
	it.each([
		['an empty document', 0, 'ok'],
		['just under 80 %', 16 * MIB - 1, 'ok'],
		['at 80 %', 16 * MIB, 'warning'],
		['at the cap', 20 * MIB, 'warning'],
	] as const)('%s is %s', (_name, bytes, level) => {
		expect(documentSizeLevel(bytes, 20 * MIB)).toBe(level)
	})

	it.each([
		['a put', { type: 'push', clientClock: 1, diff: { [shape.id]: ['put', shape] } }, 500, 500],
		['a patch', { type: 'push', clientClock: 1, diff: { [shape.id]: ['patch', { x: ['put', 1] }] } }, 80, 80],
		['removes only', { type: 'push', clientClock: 1, diff: { 'shape:a': ['remove'], 'shape:b': ['remove'] } }, 90, 0],
		['a remove and a put', { type: 'push', clientClock: 1, diff: { 'shape:a': ['remove'], 'shape:b': ['put', shape] } }, 90, 90],
		['presence only', { type: 'push', clientClock: 1, presence: ['patch', { cursor: ['put', {}] }] }, 70, 0],
		['a connect', { type: 'connect', connectRequestId: 'c', lastServerClock: 0, protocolVersion: 8, schema: { schemaVersion: 2 } }, 900, 0],
	] as const)('a push of %s may add at most its own size', (_name, message, bytes, bound) => {
		expect(pushGrowthBound(message as unknown as ClientMessage, bytes)).toBe(bound)
	})

	it.each([
		['growth that fits', 900, 100, 1000, true],
		['growth past the cap', 901, 100, 1000, false],
		['no growth at the cap', 1000, 0, 1000, true],
		['no growth past the cap (a lowered cap)', 2000, 0, 1000, true],
	] as const)('%s', (_name, doc, growth, max, fits) => {
		expect(fitsDocument(doc, growth, max)).toBe(fits)
	})

	it('counts records as tldraw stores them: JSON, UTF-8', () => {
		expect(recordsBytes([{ a: 'é' }, { b: 1 }])).toBe('{"a":"é"}'.length + 1 + '{"b":1}'.length)
	})

	it('words the notice for people and gives the numbers for programs', () => {
		expect(documentSizeNotice(17 * MIB, 20 * MIB)).toEqual({
			type: 'document_size',
			level: 'warning',
			bytes: 17 * MIB,
			maxBytes: 20 * MIB,
			message: 'This document is at 85% of its 20 MiB limit; changes that would take it past the limit are refused.',
		})
		expect(documentSizeNotice(MIB, 20 * MIB)).toMatchObject({ level: 'ok', message: 'This document is at 5% of its 20 MiB limit.' })
	})
})
