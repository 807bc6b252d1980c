/** Hex SHA-256 of UTF-8 text or bytes (content hashes for exports and uploads). */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
	const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
	return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}
