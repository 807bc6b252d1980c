import type { NewUpload, StoredUpload, UploadRead, UploadStore } from '../../src/assets/UploadStore'

type Entry = { bytes: Uint8Array; meta: StoredUpload; etag: string }

/**
 * In-memory UploadStore with R2's semantics as the upload routes use them: create-if-absent,
 * If-None-Match → not-modified, one `bytes=a-b` / `bytes=a-` / `bytes=-n` range (others: whole object).
 * `beforeCreate` lets a test slip a concurrent write in between the handler's head and create.
 */
export class MemoryUploadStore implements UploadStore {
	readonly objects = new Map<string, Entry>()
	beforeCreate: ((objectName: string) => void) | null = null
	private clockMs = Date.UTC(2026, 0, 1)

	/** Puts an object as if another request had stored it. */
	seed(objectName: string, bytes: Uint8Array, upload: { userId: string | null; sha256: string | null; fileId?: string | null; contentType?: string }): void {
		this.clockMs += 1000
		const meta: StoredUpload = {
			userId: upload.userId,
			fileId: upload.fileId ?? null,
			sha256: upload.sha256,
			contentType: upload.contentType ?? 'image/png',
			size: bytes.byteLength,
			uploadedAt: new Date(this.clockMs),
		}
		this.objects.set(objectName, { bytes, meta, etag: `"etag-${objectName}-${this.clockMs}"` })
	}

	async head(objectName: string): Promise<StoredUpload | null> {
		const entry = this.objects.get(objectName)
		return entry ? { ...entry.meta } : null
	}

	async create(objectName: string, bytes: Uint8Array, upload: NewUpload): Promise<StoredUpload | null> {
		this.beforeCreate?.(objectName)
		if (this.objects.has(objectName)) return null
		this.seed(objectName, bytes.slice(), upload)
		return this.head(objectName)
	}

	async read(objectName: string, conditions: { ifNoneMatch: string | null; range: string | null }): Promise<UploadRead> {
		const entry = this.objects.get(objectName)
		if (!entry) return { kind: 'missing' }
		const tags = (conditions.ifNoneMatch ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''))
		if (tags.includes(entry.etag) || tags.includes('*')) return { kind: 'not-modified', etag: entry.etag }
		const size = entry.bytes.byteLength
		let range: { offset: number; length: number } | null = null
		const m = /^bytes=(\d*)-(\d*)$/.exec(conditions.range ?? '')
		if (m && (m[1] || m[2])) {
			const offset = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]))
			const end = m[1] ? (m[2] ? Math.min(Number(m[2]), size - 1) : size - 1) : size - 1
			if (offset < size && end >= offset && (offset > 0 || end < size - 1)) range = { offset, length: end - offset + 1 }
		}
		const bytes = range ? entry.bytes.subarray(range.offset, range.offset + range.length) : entry.bytes
		return { kind: 'body', body: new Blob([bytes]).stream(), contentType: entry.meta.contentType, etag: entry.etag, size, range }
	}
}
