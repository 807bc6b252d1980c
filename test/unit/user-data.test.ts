import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { entryName, toTldr } from '../../src/me/exportUserData'
import { nextPurgeStep, type PurgeState } from '../../src/me/nextPurgeStep'
import { crc32, ZipWriter } from '../../src/me/zipWriter'
import { readZip } from '../helpers/readZip'

const state = (over: Partial<PurgeState>): PurgeState => ({ collected: true, rowsDeleted: false, pendingFiles: [], pendingAssets: 0, pendingRooms: [], ...over })

describe('nextPurgeStep', () => {
	it.each([
		['a new job collects first', state({ collected: false }), { kind: 'collect' }],
		['then purges files one by one, in order', state({ pendingFiles: ['f1', 'f2'], pendingAssets: 3 }), { kind: 'purge-file', fileId: 'f1' }],
		['then uploads', state({ pendingAssets: 3 }), { kind: 'purge-assets' }],
		['then the Postgres rows', state({}), { kind: 'delete-rows' }],
		['files that appeared meanwhile are purged after the rows', state({ rowsDeleted: true, pendingFiles: ['late'] }), { kind: 'purge-file', fileId: 'late' }],
		['rooms of others wait until the rows are gone (no session can open after that)', state({ pendingRooms: ['r1'] }), { kind: 'delete-rows' }],
		['and until every own file is purged', state({ pendingFiles: ['f1'], pendingRooms: ['r1'] }), { kind: 'purge-file', fileId: 'f1' }],
		['late files before rooms', state({ rowsDeleted: true, pendingFiles: ['late'], pendingRooms: ['r1'] }), { kind: 'purge-file', fileId: 'late' }],
		['then the user’s sessions in others’ rooms close, room by room, in order', state({ rowsDeleted: true, pendingRooms: ['r1', 'r2'] }), { kind: 'close-sessions', fileId: 'r1' }],
		['a job resumed after closing some rooms goes on with the rest', state({ rowsDeleted: true, pendingRooms: ['r2'] }), { kind: 'close-sessions', fileId: 'r2' }],
		['and then it is done', state({ rowsDeleted: true }), { kind: 'finish' }],
	] as const)('%s', (_name, s, expected) => {
		expect(nextPurgeStep(s)).toEqual(expected)
	})
})

async function zipOf(entries: Array<[string, string | Uint8Array]>): Promise<Uint8Array> {
	const chunks: Uint8Array[] = []
	const zip = new ZipWriter(async (c) => void chunks.push(c.slice()))
	for (const [name, content] of entries) await zip.add(name, content, new Date('2026-11-30T10:20:30Z'))
	await zip.finish()
	return Buffer.concat(chunks)
}

describe('ZipWriter', () => {
	it.each([
		['', 0],
		['a', 0xe8b7be43],
		['The quick brown fox jumps over the lazy dog', 0x414fa339],
	])('crc32(%j) = %i', (text, expected) => {
		expect(crc32(new TextEncoder().encode(text))).toBe(expected)
	})

	it('writes entries a reader can list and check, names in UTF-8', async () => {
		const bytes = await zipOf([
			['user.json', '{"id":"u"}'],
			['files/Plän (f1).tldr', '{"records":[]}'],
			['empty.txt', ''],
			['binary.bin', new Uint8Array([0, 255, 1, 254])],
		])
		const entries = readZip(bytes)
		expect([...entries.keys()]).toEqual(['user.json', 'files/Plän (f1).tldr', 'empty.txt', 'binary.bin'])
		expect(entries.get('user.json')).toBe('{"id":"u"}')
		expect(entries.get('empty.txt')).toBe('')
	})

	it('is accepted by Python’s zipfile (an independent reader), CRCs included', async () => {
		const bytes = await zipOf([['a.json', '{"a":1}'], ['dir/b.tldr', 'x'.repeat(10_000)]])
		const dir = mkdtempSync(path.join(tmpdir(), 'zip-'))
		try {
			const file = path.join(dir, 'x.zip')
			writeFileSync(file, bytes)
			const out = execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(",".join(z.namelist()))', file]).toString().trim()
			expect(out).toBe('a.json,dir/b.tldr')
		} finally {
			rmSync(dir, { recursive: true, force: true })
		}
	})
})

describe('export entries', () => {
	it.each([
		[{ id: 'f1', name: 'Plans' }, 'files/Plans (f1).tldr'],
		[{ id: 'f2', name: '../../etc/passwd' }, 'files/.._.._etc_passwd (f2).tldr'],
		[{ id: 'f3', name: '' }, 'files/Untitled (f3).tldr'],
		[{ id: 'f4', name: 'Ünïcødé 図' }, 'files/Ünïcødé 図 (f4).tldr'],
	])('%j → %s', (file, expected) => {
		expect(entryName(file)).toBe(expected)
	})

	it('a .tldr holds the schema and the records of the snapshot', () => {
		const snapshot = { schema: { schemaVersion: 2, sequences: {} }, documents: [{ state: { id: 'page:1' }, lastChangedClock: 1 }], clock: 1 }
		expect(JSON.parse(toTldr(snapshot as never))).toEqual({ tldrawFileFormatVersion: 1, schema: snapshot.schema, records: [{ id: 'page:1' }] })
	})
})
