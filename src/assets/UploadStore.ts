import { z } from 'zod'
import { isValidId } from '../storage/keys'
import type { ExistingUpload } from './decideUploadOwnership'

/**
 * R2 `UPLOADS` key of an asset. The bucket holds nothing else and object names are already restricted
 * to URL- and key-safe characters (OBJECT_NAME_RE), so the key is the name.
 */
export function uploadKey(objectName: string): string {
	return objectName
}

export type NewUpload = { contentType: string; userId: string; fileId: string; sha256: string }

export type StoredUpload = ExistingUpload & { contentType: string; size: number; uploadedAt: Date }

export type UploadBody = {
	kind: 'body'
	body: ReadableStream
	contentType: string
	/** Quoted, as HTTP sends it. */
	etag: string
	size: number
	/** Set when only part of the object is returned (a satisfiable Range request). */
	range: { offset: number; length: number } | null
}
export type UploadRead = { kind: 'missing' } | { kind: 'not-modified'; etag: string } | UploadBody

/** The uploads bucket as the upload routes need it; in-memory twin: test/fakes/MemoryUploadStore.ts. */
export interface UploadStore {
	head(objectName: string): Promise<StoredUpload | null>
	/** Stores the object only if the name is free; null when another write got there first. */
	create(objectName: string, bytes: Uint8Array, upload: NewUpload): Promise<StoredUpload | null>
	/** `ifNoneMatch` and `range` are the request's header values, passed through to R2. */
	read(objectName: string, conditions: { ifNoneMatch: string | null; range: string | null }): Promise<UploadRead>
}

/** customMetadata written with each upload; read back through zod like any external value. */
const OwnerMetadataSchema = z.object({
	userId: z.string().refine(isValidId),
	fileId: z.string().refine(isValidId),
	sha256: z.string().regex(/^[0-9a-f]{64}$/),
})

function toStored(object: R2Object): StoredUpload {
	const owner = OwnerMetadataSchema.safeParse(object.customMetadata ?? {})
	return {
		userId: owner.success ? owner.data.userId : null,
		fileId: owner.success ? owner.data.fileId : null,
		sha256: owner.success ? owner.data.sha256 : null,
		contentType: object.httpMetadata?.contentType ?? 'application/octet-stream',
		size: object.size,
		uploadedAt: object.uploaded,
	}
}

export function createR2UploadStore(bucket: R2Bucket): UploadStore {
	return {
		async head(objectName) {
			const object = await bucket.head(uploadKey(objectName))
			return object ? toStored(object) : null
		},
		async create(objectName, bytes, upload) {
			const object = await bucket.put(uploadKey(objectName), bytes, {
				// "If-None-Match: *": R2 writes only when the key is free and returns null otherwise, so two
				// concurrent uploads of one name cannot both win.
				onlyIf: { etagDoesNotMatch: '*' },
				httpMetadata: { contentType: upload.contentType },
				customMetadata: { userId: upload.userId, fileId: upload.fileId, sha256: upload.sha256 },
				sha256: upload.sha256,
			})
			return object ? toStored(object) : null
		},
		async read(objectName, { ifNoneMatch, range }) {
			const onlyIf = ifNoneMatch ? new Headers({ 'If-None-Match': ifNoneMatch }) : undefined
			let object: R2Object | R2ObjectBody | null
			try {
				object = await bucket.get(uploadKey(objectName), { onlyIf, range: range ? new Headers({ Range: range }) : undefined })
			} catch (err) {
				if (!range) throw err
				// R2 rejects an unsatisfiable or malformed Range; answering the whole object is valid HTTP.
				object = await bucket.get(uploadKey(objectName), { onlyIf })
			}
			if (object === null) return { kind: 'missing' }
			// With a failed precondition R2 returns the metadata without a body.
			if (!('body' in object)) return { kind: 'not-modified', etag: object.httpEtag }
			const r = object.range as { offset?: number; length?: number } | undefined
			const offset = r?.offset ?? 0
			const length = r?.length ?? object.size - offset
			const partial = range !== null && (offset > 0 || length < object.size)
			return {
				kind: 'body',
				body: object.body,
				contentType: object.httpMetadata?.contentType ?? 'application/octet-stream',
				etag: object.httpEtag,
				size: object.size,
				range: partial ? { offset, length } : null,
			}
		},
	}
}
