/** Reads a stored (uncompressed) zip by its central directory, checking every CRC-32 (Node's zlib.crc32). */
import { crc32 } from 'node:zlib'

export function readZip(buf: Uint8Array): Map<string, string> {
	const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
	const eocd = buf.byteLength - 22
	if (view.getUint32(eocd, true) !== 0x06054b50) throw new Error('zip: no end of central directory record')
	const count = view.getUint16(eocd + 10, true)
	let p = view.getUint32(eocd + 16, true)
	const out = new Map<string, string>()
	for (let i = 0; i < count; i++) {
		if (view.getUint32(p, true) !== 0x02014b50) throw new Error('zip: bad central directory entry')
		const method = view.getUint16(p + 10, true)
		const crc = view.getUint32(p + 16, true)
		const size = view.getUint32(p + 24, true)
		const nameLen = view.getUint16(p + 28, true)
		const extraLen = view.getUint16(p + 30, true)
		const commentLen = view.getUint16(p + 32, true)
		const offset = view.getUint32(p + 42, true)
		const name = new TextDecoder().decode(buf.subarray(p + 46, p + 46 + nameLen))
		if (method !== 0) throw new Error(`zip: ${name} is not stored`)
		if (view.getUint32(offset, true) !== 0x04034b50) throw new Error(`zip: bad local header for ${name}`)
		const dataStart = offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true)
		const data = buf.subarray(dataStart, dataStart + size)
		if (crc32(data) >>> 0 !== crc) throw new Error(`zip: CRC mismatch in ${name}`)
		out.set(name, new TextDecoder().decode(data))
		p += 46 + nameLen + extraLen + commentLen
	}
	return out
}
