import { describe, expect, it } from 'vitest'
import type { ClientMessage } from '../../src/room/clientMessageSchema'
import { documentSizeLevel, documentSizeNotice, fitsDocument, pushGrowthBound, recordsBytes, utf8Length } from '../../src/room/documentSize'

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
		['a put', { type: 'push', clientClock: 1, diff: { [shape.id]: ['put', shape] } }, true],
		['a patch', { type: 'push', clientClock: 1, diff: { [shape.id]: ['patch', { x: ['put', 1] }] } }, true],
		['removes only', { type: 'push', clientClock: 1, diff: { 'shape:a': ['remove'], 'shape:b': ['remove'] } }, false],
		['a remove and a put', { type: 'push', clientClock: 1, diff: { 'shape:a': ['remove'], 'shape:b': ['put', shape] } }, true],
		['presence only', { type: 'push', clientClock: 1, presence: ['patch', { cursor: ['put', {}] }] }, false],
		['a connect', { type: 'connect', connectRequestId: 'c', lastServerClock: 0, protocolVersion: 8, schema: { schemaVersion: 2 } }, false],
	] as const)('a message with %s may add at most its own size (or nothing)', (_name, message, grows) => {
		const text = JSON.stringify({ ...message, note: 'é😀' })
		expect(pushGrowthBound(message as unknown as ClientMessage, text)).toBe(grows ? new TextEncoder().encode(text).byteLength : 0)
	})

	it.each(['', 'ascii', 'é', '€', '😀', 'a😀é€z'])('counts UTF-8 bytes of %j without encoding', (text) => {
		expect(utf8Length(text)).toBe(new TextEncoder().encode(text).byteLength)
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
