/**
 * Reads a request body of at most `maxBytes`, throwing `tooLarge()` as soon as it passes the cap —
 * Content-Length may be absent or wrong, so the count is of bytes actually read.
 */
export async function readBodyCapped(request: Request, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
	if (!request.body) return new Uint8Array()
	const reader = request.body.getReader()
	const chunks: Uint8Array[] = []
	let total = 0
	for (;;) {
		const { done, value } = await reader.read()
		if (done) break
		total += value.byteLength
		if (total > maxBytes) {
			await reader.cancel().catch(() => {})
			throw tooLarge()
		}
		chunks.push(value)
	}
	const out = new Uint8Array(total)
	let offset = 0
	for (const chunk of chunks) {
		out.set(chunk, offset)
		offset += chunk.byteLength
	}
	return out
}
