import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { RowChange } from '../../src/replication/types'
import { decideDelivery, webhookRetryDelaySeconds } from '../../src/webhooks/decideDelivery'
import { deliverWebhookBatch, type DeadLetter } from '../../src/webhooks/deliverWebhookBatch'
import { MAX_IDS_PER_EVENT, nextDocumentUpdateAt, summarizeDocumentUpdate } from '../../src/webhooks/planDocumentUpdate'
import { planFileEvents } from '../../src/webhooks/planFileEvents'
import { isWebhookSecret, signWebhook, verifyWebhook } from '../../src/webhooks/signWebhook'
import type { WebhookEvent } from '../../src/webhooks/WebhookEvent'

describe('decideDelivery', () => {
	it.each([
		[{ status: 200 }, 'delivered'],
		[{ status: 204 }, 'delivered'],
		[{ status: 299 }, 'delivered'],
		[{ status: 301 }, 'retry'],
		[{ status: 400 }, 'dead'],
		[{ status: 401 }, 'dead'],
		[{ status: 404 }, 'dead'],
		[{ status: 410 }, 'dead'],
		[{ status: 408 }, 'retry'],
		[{ status: 429 }, 'retry'],
		[{ status: 500 }, 'retry'],
		[{ status: 503 }, 'retry'],
		[{ error: 'connection refused' }, 'retry'],
	] as const)('%j → %s', (result, expected) => {
		expect(decideDelivery(result)).toBe(expected)
	})
})

describe('webhookRetryDelaySeconds', () => {
	it.each([
		[1, 10, 3600, 10],
		[2, 10, 3600, 20],
		[3, 10, 3600, 40],
		[10, 10, 3600, 3600],
		[50, 10, 3600, 3600],
		[3, 0, 3600, 0],
	])('attempt %i, base %i, cap %i → %i s', (attempts, base, max, expected) => {
		expect(webhookRetryDelaySeconds(attempts, base, max)).toBe(expected)
	})
})

describe('nextDocumentUpdateAt (at most one document.updated per window)', () => {
	it.each([
		['first change of a room waits one window, collecting the burst', null, 1_000, 2_000, 3_000],
		['last event long ago: at once', 0, 10_000, 2_000, 10_000],
		['last event 500 ms ago: when the window ends', 9_500, 10_000, 2_000, 11_500],
		['exactly one window ago: at once', 8_000, 10_000, 2_000, 10_000],
	])('%s', (_name, last, now, debounce, expected) => {
		expect(nextDocumentUpdateAt(last, now, debounce)).toBe(expected)
	})
})

describe('summarizeDocumentUpdate', () => {
	it('lists ids put and removed with the clock range', () => {
		expect(summarizeDocumentUpdate(3, { clock: 7, putIds: ['shape:a', 'shape:b'], removedIds: ['shape:c'], complete: true })).toEqual({
			fromClock: 3,
			toClock: 7,
			put: ['shape:a', 'shape:b'],
			removed: ['shape:c'],
			truncated: false,
		})
	})
	it('caps the id lists and says so', () => {
		const putIds = Array.from({ length: MAX_IDS_PER_EVENT + 5 }, (_, i) => `shape:${i}`)
		const data = summarizeDocumentUpdate(0, { clock: 1, putIds, removedIds: [], complete: true })
		expect(data.put).toHaveLength(MAX_IDS_PER_EVENT)
		expect(data.truncated).toBe(true)
	})
	it('says so when removals are unknown (tombstones pruned)', () => {
		expect(summarizeDocumentUpdate(0, { clock: 1, putIds: [], removedIds: [], complete: false }).truncated).toBe(true)
	})
})

const fileRow = (over: Record<string, unknown> = {}) => ({
	id: 'f1',
	ownerId: 'alice',
	name: 'F',
	shared: false,
	sharedLinkType: 'edit',
	published: false,
	publishedSlug: 'slug1',
	lastPublished: null,
	isDeleted: false,
	thumbnail: 'secret-thumb',
	updatedAt: '2026-01-01T00:00:00.000Z',
	...over,
})

describe('planFileEvents', () => {
	const plan = (...changes: RowChange[]) => planFileEvents({ commitLsn: '0/1A', changes }).map((e) => e.type)
	it.each([
		['insert', { table: 'file', op: 'insert', row: fileRow(), old: null }, ['file.created']],
		['hard delete', { table: 'file', op: 'delete', row: fileRow(), old: null }, ['file.deleted']],
		['soft delete', { table: 'file', op: 'update', row: fileRow({ isDeleted: true }), old: fileRow() }, ['file.deleted']],
		['undelete', { table: 'file', op: 'update', row: fileRow(), old: fileRow({ isDeleted: true }) }, ['file.updated']],
		['publish', { table: 'file', op: 'update', row: fileRow({ published: true, lastPublished: 'x' }), old: fileRow() }, ['file.published']],
		['republish', { table: 'file', op: 'update', row: fileRow({ published: true, lastPublished: 'y' }), old: fileRow({ published: true, lastPublished: 'x' }) }, ['file.published']],
		['unpublish', { table: 'file', op: 'update', row: fileRow(), old: fileRow({ published: true }) }, ['file.unpublished']],
		['rename', { table: 'file', op: 'update', row: fileRow({ name: 'G' }), old: fileRow() }, ['file.updated']],
		['share', { table: 'file', op: 'update', row: fileRow({ shared: true }), old: fileRow() }, ['file.updated']],
		['only updatedAt', { table: 'file', op: 'update', row: fileRow({ updatedAt: 'later' }), old: fileRow() }, []],
		['only thumbnail', { table: 'file', op: 'update', row: fileRow({ thumbnail: 'other' }), old: fileRow() }, []],
		['update without an old image', { table: 'file', op: 'update', row: fileRow(), old: null }, ['file.updated']],
		['other tables', { table: 'file_state', op: 'insert', row: { userId: 'a', fileId: 'f1' }, old: null }, []],
	] as const)('%s', (_name, change, expected) => {
		expect(plan(change as unknown as RowChange)).toEqual(expected)
	})

	it('ids are stable per change and differ within a transaction; data hides private columns', () => {
		const tx = { commitLsn: '0/1A', changes: [{ table: 'file', op: 'insert', row: fileRow(), old: null }, { table: 'file', op: 'insert', row: fileRow({ id: 'f2' }), old: null }] as RowChange[] }
		const a = planFileEvents(tx)
		expect(planFileEvents(tx).map((e) => e.id)).toEqual(a.map((e) => e.id))
		expect(new Set(a.map((e) => e.id)).size).toBe(2)
		expect(a[0]!.data.file).not.toHaveProperty('thumbnail')
		expect(a[0]!.data).toMatchObject({ fileId: 'f1', ownerId: 'alice' })
	})
})

describe('Standard Webhooks signature', () => {
	const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
	it('signs as the scheme says: base64 HMAC-SHA256 of id.timestamp.body under the decoded secret', async () => {
		const body = '{"test": 2432232314}'
		const headers = await signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)
		const expected = createHmac('sha256', Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64')).update(`msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.${body}`).digest('base64')
		expect(headers).toEqual({ 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': `v1,${expected}` })
		// The example of the Standard Webhooks specification.
		expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
	})
	it('verifies its own signatures and rejects tampering, stale timestamps and other secrets', async () => {
		const headers = await signWebhook(secret, 'evt_1', 1000, '{"a":1}')
		expect(await verifyWebhook(secret, headers, '{"a":1}', 1010)).toBe(true)
		expect(await verifyWebhook(secret, headers, '{"a":2}', 1010)).toBe(false)
		expect(await verifyWebhook(secret, headers, '{"a":1}', 2000)).toBe(false)
		expect(await verifyWebhook('whsec_' + Buffer.from('another secret key!').toString('base64'), headers, '{"a":1}', 1010)).toBe(false)
	})
	it.each([
		['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', true],
		['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', false],
		['whsec_short', false],
		['whsec_!!!notbase64!!!', false],
	])('isWebhookSecret(%s) = %s', (s, ok) => {
		expect(isWebhookSecret(s)).toBe(ok)
	})
})

describe('deliverWebhookBatch', () => {
	const event: WebhookEvent = { id: 'evt_1', type: 'session.joined', timestamp: new Date(0).toISOString(), roomKey: 'room:r', source: 'room', seq: 1, data: {} }
	function batch(...bodies: unknown[]) {
		const outcomes: Array<{ id: string; what: 'ack' | 'retry'; delaySeconds?: number }> = []
		const messages = bodies.map((body, i) => ({
			id: `m${i}`,
			timestamp: new Date(),
			body,
			attempts: 2,
			ack: () => outcomes.push({ id: `m${i}`, what: 'ack' }),
			retry: (o?: { delaySeconds?: number }) => outcomes.push({ id: `m${i}`, what: 'retry', delaySeconds: o?.delaySeconds }),
		}))
		return { batch: { queue: 'q', messages, metadata: { metrics: { backlogCount: 7, backlogBytes: 0 } }, ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>, outcomes }
	}
	it.each([
		[200, 'ack', 0, { delivered: 1, retried: 0, backlog: 7 }],
		[410, 'ack', 1, { delivered: 0, retried: 0, backlog: 7 }],
		[429, 'retry', 0, { delivered: 0, retried: 1, backlog: 7 }],
		[500, 'retry', 0, { delivered: 0, retried: 1, backlog: 7 }],
	] as const)('receiver answers %i → %s, %i dead letters', async (status, what, dead, counts) => {
		const { batch: b, outcomes } = batch({ type: 'webhook', url: 'http://127.0.0.1:1/hook', event })
		const deadLetters: DeadLetter[] = []
		const recorded: unknown[] = []
		const requests: Array<{ url: string; init: RequestInit }> = []
		await deliverWebhookBatch(b, {
			secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
			retryBaseSeconds: 5,
			retryMaxSeconds: 100,
			fetch: async (url, init) => {
				requests.push({ url, init })
				return new Response(null, { status })
			},
			nowSeconds: () => 1000,
			deadLetters: { send: async (m) => void deadLetters.push(m) },
			recordOutcomes: async (c) => void recorded.push(c),
			log: { warn() {}, error() {} },
		})
		expect(outcomes).toEqual([what === 'ack' ? { id: 'm0', what } : { id: 'm0', what, delaySeconds: 10 }])
		expect(deadLetters).toHaveLength(dead)
		expect(recorded).toEqual([counts])
		const headers = requests[0]!.init.headers as Record<string, string>
		expect(await verifyWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', headers, requests[0]!.init.body as string, 1000)).toBe(true)
		expect(JSON.parse(requests[0]!.init.body as string)).toEqual(event)
	})
	it('a network error is retried; a malformed message is acked and never sent', async () => {
		const { batch: b, outcomes } = batch({ type: 'webhook', url: 'http://127.0.0.1:1/hook', event }, { nonsense: true })
		let calls = 0
		await deliverWebhookBatch(b, {
			secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
			retryBaseSeconds: 1,
			retryMaxSeconds: 100,
			fetch: async () => {
				calls++
				throw new Error('connection refused')
			},
			nowSeconds: () => 1000,
			deadLetters: { send: async () => {} },
			recordOutcomes: async () => {},
			log: { warn() {}, error() {} },
		})
		expect(calls).toBe(1)
		expect(outcomes).toEqual(expect.arrayContaining([{ id: 'm0', what: 'retry', delaySeconds: 2 }, { id: 'm1', what: 'ack' }]))
	})
})
