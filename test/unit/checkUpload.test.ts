import { describe, expect, it } from 'vitest'
import { assetRetryDelaySeconds, AssetQueueMessageSchema } from '../../src/assets/AssetQueueMessage'
import { checkUpload, MAX_UPLOAD_BYTES, parseMediaType, sniffContentType, UPLOAD_CONTENT_TYPES, type UploadInput } from '../../src/assets/checkUpload'
import { decideUploadOwnership, type ExistingUpload, type OwnershipDecision } from '../../src/assets/decideUploadOwnership'
import { IMPOSTORS, SAMPLE_UPLOADS } from '../fakes/uploadFixtures'

const PNG = SAMPLE_UPLOADS['image/png']
const input = (over: Partial<UploadInput> = {}): UploadInput => ({ objectName: 'abc123-photo.png', contentType: 'image/png', size: PNG.byteLength, head: PNG, ...over })
const verdict = (over: Partial<UploadInput>) => {
	const check = checkUpload(input(over))
	return check.ok ? `ok ${check.contentType}` : `${check.status} ${check.code}`
}

describe('checkUpload', () => {
	it.each([
		// object names
		['tldraw-style name', { objectName: 'asset-3f9a_photo.final.png' }, 'ok image/png'],
		['200 characters', { objectName: 'a'.repeat(200) }, 'ok image/png'],
		['201 characters', { objectName: 'a'.repeat(201) }, '400 INVALID_ID'],
		['empty name', { objectName: '' }, '400 INVALID_ID'],
		['leading dot', { objectName: '.htaccess' }, '400 INVALID_ID'],
		['dot-dot', { objectName: 'a..b' }, '400 INVALID_ID'],
		['just ..', { objectName: '..' }, '400 INVALID_ID'],
		['slash', { objectName: 'a/b.png' }, '400 INVALID_ID'],
		['backslash', { objectName: 'a\\b.png' }, '400 INVALID_ID'],
		['percent-escape', { objectName: 'a%2Fb.png' }, '400 INVALID_ID'],
		['space', { objectName: 'a b.png' }, '400 INVALID_ID'],
		['non-ASCII', { objectName: 'café.png' }, '400 INVALID_ID'],
		['NUL', { objectName: 'a\u0000.png' }, '400 INVALID_ID'],
		// content types
		['missing Content-Type', { contentType: null }, '415 UNSUPPORTED_MEDIA_TYPE'],
		['text/html', { contentType: 'text/html' }, '415 UNSUPPORTED_MEDIA_TYPE'],
		['application/octet-stream', { contentType: 'application/octet-stream' }, '415 UNSUPPORTED_MEDIA_TYPE'],
		['image/x-icon (not listed)', { contentType: 'image/x-icon' }, '415 UNSUPPORTED_MEDIA_TYPE'],
		['uppercase with parameters', { contentType: 'IMAGE/PNG; charset=binary' }, 'ok image/png'],
		// sizes
		['empty body', { size: 0, head: new Uint8Array() }, '400 BAD_REQUEST'],
		['exactly the limit', { size: MAX_UPLOAD_BYTES }, 'ok image/png'],
		['one byte over', { size: MAX_UPLOAD_BYTES + 1 }, '413 PAYLOAD_TOO_LARGE'],
		['declared size unknown, body not read yet', { size: null, head: null }, 'ok image/png'],
		// bytes vs declared type
		['HTML sent as image/png', { head: IMPOSTORS.html }, '415 CONTENT_TYPE_MISMATCH'],
		['HTML sent as image/svg+xml', { contentType: 'image/svg+xml', head: IMPOSTORS.html }, '415 CONTENT_TYPE_MISMATCH'],
		['SVG sent as image/png', { head: SAMPLE_UPLOADS['image/svg+xml'] }, '415 CONTENT_TYPE_MISMATCH'],
		['PNG sent as image/jpeg', { contentType: 'image/jpeg' }, '415 CONTENT_TYPE_MISMATCH'],
		['SVG with an internal DTD subset', { contentType: 'image/svg+xml', head: IMPOSTORS.svgWithEntities }, '415 CONTENT_TYPE_MISMATCH'],
		['Matroska sent as video/webm', { contentType: 'video/webm', head: IMPOSTORS.matroska }, '415 CONTENT_TYPE_MISMATCH'],
		['plain text sent as image/gif', { contentType: 'image/gif', head: IMPOSTORS.text }, '415 CONTENT_TYPE_MISMATCH'],
		['headers only: bytes not judged yet', { head: null, size: null }, 'ok image/png'],
	] as const)('%s → %s', (_what, over, expected) => {
		expect(verdict(over)).toBe(expected)
	})

	it.each(UPLOAD_CONTENT_TYPES.map((t) => [t]))('accepts a real %s', (type) => {
		expect(verdict({ contentType: type, head: SAMPLE_UPLOADS[type], size: SAMPLE_UPLOADS[type].byteLength })).toBe(`ok ${type}`)
	})
})

describe('sniffContentType', () => {
	const text = (s: string) => new TextEncoder().encode(s)
	it.each([
		['BOM + XML declaration + comment + doctype', '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml'],
		['uppercase SVG tag', '<SVG></SVG>', 'image/svg+xml'],
		['<svgfoo> is not svg', '<svgfoo/>', null],
		['html containing an svg', '<html><svg></svg></html>', null],
		['XHTML doctype', '<!DOCTYPE html><svg/>', null],
		['empty', '', null],
	])('%s', (_what, source, expected) => {
		expect(sniffContentType(text(source))).toBe(expected)
	})

	it.each(Object.entries(SAMPLE_UPLOADS))('%s sample sniffs as itself', (type, sample) => {
		expect(sniffContentType(sample)).toBe(type)
	})

	it('parseMediaType', () => {
		expect(parseMediaType(' Image/SVG+XML ; charset=utf-8')).toBe('image/svg+xml')
		expect(parseMediaType('')).toBeNull()
		expect(parseMediaType(null)).toBeNull()
	})
})

describe('decideUploadOwnership', () => {
	const mine: ExistingUpload = { userId: 'alice', sha256: 'aaa', fileId: 'f1' }
	it.each<[string, ExistingUpload | null, OwnershipDecision]>([
		['free name', null, { kind: 'create' }],
		['same user, same bytes (a retry)', mine, { kind: 'same', existing: mine }],
		['same user, different bytes', { ...mine, sha256: 'bbb' }, { kind: 'conflict', reason: 'different-content' }],
		['another user, same bytes', { ...mine, userId: 'mallory' }, { kind: 'conflict', reason: 'other-user' }],
		['another user, different bytes', { userId: 'mallory', sha256: 'bbb', fileId: 'f2' }, { kind: 'conflict', reason: 'other-user' }],
		['an object without owner metadata', { userId: null, sha256: null, fileId: null }, { kind: 'conflict', reason: 'other-user' }],
	])('%s', (_what, existing, expected) => {
		expect(decideUploadOwnership(existing, { userId: 'alice', sha256: 'aaa' })).toEqual(expected)
	})
})

describe('asset queue message', () => {
	const message = {
		type: 'asset-uploaded',
		objectName: 'abc.png',
		fileId: 'file1',
		userId: 'user_1',
		size: 10,
		contentType: 'image/png',
		uploadedAt: '2026-11-23T09:05:01.002Z',
	}
	it.each([
		['valid', message, true],
		['extra fields from a newer producer', { ...message, checksum: 'x' }, true],
		['wrong type tag', { ...message, type: 'asset-deleted' }, false],
		['bad object name', { ...message, objectName: '../x' }, false],
		['bad file id', { ...message, fileId: 'a b' }, false],
		['size as a string', { ...message, size: '10' }, false],
		['oversize', { ...message, size: MAX_UPLOAD_BYTES + 1 }, false],
		['content type not allowed', { ...message, contentType: 'text/html' }, false],
		['not a date', { ...message, uploadedAt: 'yesterday' }, false],
		['not an object', 'asset', false],
	])('%s', (_what, body, valid) => {
		expect(AssetQueueMessageSchema.safeParse(body).success).toBe(valid)
	})

	it.each([
		[0, 10],
		[1, 10],
		[2, 20],
		[3, 40],
		[5, 160],
		[6, 300],
		[100, 300],
	])('retry delay after attempt %i is %i s', (attempts, seconds) => {
		expect(assetRetryDelaySeconds(attempts)).toBe(seconds)
	})
})
