import type { TLSyncStorage } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'

const DOCUMENT_ID = 'document:document'

export function getDocumentName(storage: TLSyncStorage<TLRecord>): string | null {
	return storage.transaction((txn) => {
		const doc = txn.get(DOCUMENT_ID) as { name?: string } | undefined
		return doc?.name ?? null
	}).result
}

/** Writes the file's name into the document record; the room broadcasts it to connected clients. */
export function setDocumentName(storage: TLSyncStorage<TLRecord>, name: string): void {
	storage.transaction((txn) => {
		const doc = txn.get(DOCUMENT_ID)
		if (doc && (doc as { name?: string }).name !== name) txn.set(DOCUMENT_ID, { ...doc, name } as TLRecord)
	})
}
