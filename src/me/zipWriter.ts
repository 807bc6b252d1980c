/**
 * A streaming .zip writer for stored (uncompressed) entries: each entry is written as soon as its bytes
 * are known, so an export never holds more than one file in memory. Enough of PKWARE's APPNOTE for every
 * unzip tool: local headers with CRC-32 and sizes up front (no data descriptors), a central directory,
 * UTF-8 names, no ZIP64 (an entry and the whole archive stay under 4 GiB; larger throws).
 */
const CRC_TABLE = (() => {
	const table = new Uint32Array(256)
	for (let n = 0; n < 256; n++) {
		let c = n
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
		table[n] = c >>> 0
	}
	return table
})()

export function crc32(bytes: Uint8Array): number {
	let c = 0xffffffff
	for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
	return (c ^ 0xffffffff) >>> 0
}

const MAX_32 = 0xffffffff
const UTF8_FLAG = 0x0800

interface CentralEntry {
	name: Uint8Array
	crc: number
	size: number
	offset: number
	dosTime: number
	dosDate: number
}

export class ZipWriter {
	private readonly entries: CentralEntry[] = []
	private offset = 0

	constructor(private readonly write: (chunk: Uint8Array) => Promise<void>) {}

	async add(name: string, content: string | Uint8Array, modified = new Date()): Promise<void> {
		const data = typeof content === 'string' ? new TextEncoder().encode(content) : content
		const nameBytes = new TextEncoder().encode(name)
		if (data.byteLength > MAX_32 || this.offset + data.byteLength > MAX_32) throw new Error('zip: entry or archive larger than 4 GiB')
		const { dosTime, dosDate } = toDos(modified)
		const entry: CentralEntry = { name: nameBytes, crc: crc32(data), size: data.byteLength, offset: this.offset, dosTime, dosDate }
		const header = new DataView(new ArrayBuffer(30))
		header.setUint32(0, 0x04034b50, true) // local file header signature
		header.setUint16(4, 20, true) // version needed: 2.0
		header.setUint16(6, UTF8_FLAG, true)
		header.setUint16(8, 0, true) // stored
		header.setUint16(10, dosTime, true)
		header.setUint16(12, dosDate, true)
		header.setUint32(14, entry.crc, true)
		header.setUint32(18, entry.size, true) // compressed size
		header.setUint32(22, entry.size, true) // uncompressed size
		header.setUint16(26, nameBytes.byteLength, true)
		header.setUint16(28, 0, true) // extra field length
		await this.emit(new Uint8Array(header.buffer))
		await this.emit(nameBytes)
		await this.emit(data)
		this.entries.push(entry)
	}

	/** Writes the central directory; the archive is complete after this. */
	async finish(): Promise<void> {
		const start = this.offset
		for (const e of this.entries) {
			const h = new DataView(new ArrayBuffer(46))
			h.setUint32(0, 0x02014b50, true) // central directory header signature
			h.setUint16(4, 20, true) // version made by
			h.setUint16(6, 20, true) // version needed
			h.setUint16(8, UTF8_FLAG, true)
			h.setUint16(10, 0, true)
			h.setUint16(12, e.dosTime, true)
			h.setUint16(14, e.dosDate, true)
			h.setUint32(16, e.crc, true)
			h.setUint32(20, e.size, true)
			h.setUint32(24, e.size, true)
			h.setUint16(28, e.name.byteLength, true)
			// extra, comment, disk number, internal attributes, external attributes: all zero
			h.setUint32(42, e.offset, true)
			await this.emit(new Uint8Array(h.buffer))
			await this.emit(e.name)
		}
		const end = new DataView(new ArrayBuffer(22))
		end.setUint32(0, 0x06054b50, true) // end of central directory signature
		end.setUint16(8, this.entries.length, true)
		end.setUint16(10, this.entries.length, true)
		end.setUint32(12, this.offset - start, true)
		end.setUint32(16, start, true)
		await this.emit(new Uint8Array(end.buffer))
	}

	private async emit(chunk: Uint8Array) {
		this.offset += chunk.byteLength
		await this.write(chunk)
	}
}

function toDos(d: Date): { dosTime: number; dosDate: number } {
	const year = Math.max(1980, d.getUTCFullYear())
	return {
		dosTime: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
		dosDate: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
	}
}
