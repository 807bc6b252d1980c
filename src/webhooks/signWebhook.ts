/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_<base64 key>`, the
 * signed content is `<webhook-id>.<webhook-timestamp>.<body>`, and `webhook-signature` is
 * `v1,<base64 HMAC-SHA256>`. Receivers may use any Standard Webhooks library or `verifyWebhook` below.
 */
const SECRET_PREFIX = 'whsec_'

export function isWebhookSecret(secret: string): boolean {
	if (!secret.startsWith(SECRET_PREFIX)) return false
	try {
		return decodeBase64(secret.slice(SECRET_PREFIX.length)).byteLength >= 16
	} catch {
		return false
	}
}

export interface WebhookHeaders {
	'webhook-id': string
	'webhook-timestamp': string
	'webhook-signature': string
}

export async function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): Promise<WebhookHeaders> {
	const signature = await hmacBase64(secret, `${id}.${timestampSeconds}.${body}`)
	return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` }
}

/** True when one of the space-separated `v1,` signatures matches and the timestamp is within `toleranceSeconds`. */
export async function verifyWebhook(secret: string, headers: Partial<WebhookHeaders>, body: string, nowSeconds: number, toleranceSeconds = 300): Promise<boolean> {
	const id = headers['webhook-id']
	const ts = Number(headers['webhook-timestamp'])
	if (!id || !Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false
	const expected = await hmacBase64(secret, `${id}.${ts}.${body}`)
	return (headers['webhook-signature'] ?? '').split(' ').some((s) => s === `v1,${expected}`)
}

async function hmacBase64(secret: string, content: string): Promise<string> {
	const key = await crypto.subtle.importKey('raw', decodeBase64(secret.slice(SECRET_PREFIX.length)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
	const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(content))
	return encodeBase64(new Uint8Array(mac))
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
	const bin = atob(b64)
	const out = new Uint8Array(bin.length)
	for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
	return out
}

function encodeBase64(bytes: Uint8Array): string {
	let bin = ''
	for (const b of bytes) bin += String.fromCharCode(b)
	return btoa(bin)
}
