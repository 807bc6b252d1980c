/**
 * Issue 12 item 11 and issue 9 item 3: a request is authenticated, charged to its rate limit and (for
 * documents) access-checked before its body is read. Attack: callers who may not make the call send the
 * largest bodies the routes take (a .tldr import, a records batch), streamed without Content-Length so
 * only reading them tells their size. Each is one MiB over its route's cap: code that reads first answers
 * 413 PAYLOAD_TOO_LARGE; the worker must answer 401 / 403 / 429 without having read it.
 */
import { describe, expect, it } from 'vitest'
import { MAX_CREATE_FILE_BODY_BYTES, MAX_PATCH_FILE_BODY_BYTES, MAX_RECORDS_BODY_BYTES } from '../../../src/files/schemas'
import { sendUntilRateLimited } from '../../helpers/api'
import { useSignedInWorker } from '../../helpers/signedInWorker'

const w = useSignedInWorker()
const MiB = 1024 * 1024

/** A JSON-looking body of `bytes`, streamed in 64 KiB chunks with no Content-Length. */
function streamedBody(bytes: number): ReadableStream<Uint8Array> {
	const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
	let sent = 0
	return new ReadableStream<Uint8Array>({
		pull(c) {
			if (sent === 0) c.enqueue(new TextEncoder().encode('{"name":"'))
			if (sent >= bytes) return c.close()
			c.enqueue(chunk)
			sent += chunk.byteLength
		},
	})
}

async function sendOversized(method: string, path: string, cap: number, token?: string) {
	const res = await fetch(`${w.url()}${path}`, {
		method,
		headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
		body: streamedBody(cap + MiB),
		duplex: 'half',
	} as RequestInit)
	return { status: res.status, body: (await res.json()) as { code: string } }
}

describe('bodies are read only after authentication, the rate limit and the access check', () => {
	it.each([
		['POST /app/files', 'POST', '/app/files', MAX_CREATE_FILE_BODY_BYTES],
		['PATCH /app/file/:fileId', 'PATCH', '/app/file/some-file', MAX_PATCH_FILE_BODY_BYTES],
	])('an anonymous %s is refused before its body is read', async (_what, method, path, cap) => {
		expect(await sendOversized(method, path, cap)).toMatchObject({ status: 401, body: { code: 'NOT_AUTHENTICATED' } })
	})

	it('records calls on a private file by a stranger or anonymously are refused before their body is read', async () => {
		const owner = await w.user('owner')
		const stranger = await w.user('stranger')
		const file = await w.createFile(owner)
		expect(await sendOversized('POST', `/app/file/${file.id}/records`, MAX_RECORDS_BODY_BYTES)).toMatchObject({ status: 401, body: { code: 'NOT_AUTHENTICATED' } })
		expect(await sendOversized('POST', `/app/file/${file.id}/records`, MAX_RECORDS_BODY_BYTES, stranger.token)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } })
	})

	it('a caller over the rate limit is refused before its body is read', async () => {
		const busy = await w.user('busy')
		// The limiter counts fixed windows; a window may reset mid-loop, so allow two windows' worth. (/unfurl
		// without a url is the cheapest call that is charged: 400 after the limit.)
		expect((await sendUntilRateLimited(() => w.api('GET', '/unfurl', { token: busy.token }), 601)).status).toBe(429)
		expect(await sendOversized('POST', '/app/files', MAX_CREATE_FILE_BODY_BYTES, busy.token)).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } })
	})
})
