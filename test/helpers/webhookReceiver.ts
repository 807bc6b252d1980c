/**
 * A local HTTP server standing in for a team's webhook endpoint: records every request with the answer
 * it gave, and answers with whatever `answer` decides (per room, so tests sharing a worker do not mix).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { verifyWebhook } from '../../src/webhooks/signWebhook'
import type { WebhookEvent } from '../../src/webhooks/WebhookEvent'

export interface ReceivedWebhook {
	headers: IncomingHttpHeaders
	body: string
	event: WebhookEvent
	status: number
	path: string
}

export interface WebhookReceiver {
	url: string
	received: ReceivedWebhook[]
	/** Decides the status for each request; default 200. */
	answer: (event: WebhookEvent, attemptForThisRoom: number) => number
	/** Resolves when a request matching `predicate` has arrived (already or later); rejects after `timeoutMs`. */
	waitFor(predicate: (r: ReceivedWebhook) => boolean, what: string, timeoutMs?: number): Promise<ReceivedWebhook>
	/** Requests delivered with a 2xx, one per event id. */
	deliveredEvents(filter: (e: WebhookEvent) => boolean): WebhookEvent[]
	verify(r: ReceivedWebhook, secret: string): Promise<boolean>
	close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
	const waiters: Array<{ predicate: (r: ReceivedWebhook) => boolean; resolve: (r: ReceivedWebhook) => void }> = []
	const attemptsPerRoom = new Map<string, number>()
	const receiver: WebhookReceiver = {
		url: '',
		received: [],
		answer: () => 200,
		waitFor(predicate, what, timeoutMs = 30_000) {
			const found = receiver.received.find(predicate)
			if (found) return Promise.resolve(found)
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`webhook receiver: timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
				waiters.push({ predicate, resolve: (r) => (clearTimeout(timer), resolve(r)) })
			})
		},
		deliveredEvents(filter) {
			const byId = new Map<string, WebhookEvent>()
			for (const r of receiver.received) if (r.status < 300 && filter(r.event)) byId.set(r.event.id, r.event)
			return [...byId.values()]
		},
		verify: (r, secret) =>
			verifyWebhook(
				secret,
				{ 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) },
				r.body,
				Math.floor(Date.now() / 1000),
			),
		close: () => new Promise((resolve) => server.close(() => resolve())),
	}
	const server = createServer((req, res) => {
		let body = ''
		req.setEncoding('utf8')
		req.on('data', (d) => (body += d))
		req.on('end', () => {
			const event = JSON.parse(body) as WebhookEvent
			const attempt = (attemptsPerRoom.get(event.roomKey) ?? 0) + 1
			attemptsPerRoom.set(event.roomKey, attempt)
			const status = receiver.answer(event, attempt)
			res.writeHead(status).end()
			const record: ReceivedWebhook = { headers: req.headers, body, event, status, path: req.url ?? '/' }
			receiver.received.push(record)
			for (const w of [...waiters]) {
				if (w.predicate(record)) {
					waiters.splice(waiters.indexOf(w), 1)
					w.resolve(record)
				}
			}
		})
	})
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
	receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
	return receiver
}
