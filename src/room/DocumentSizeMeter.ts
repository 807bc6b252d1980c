import { documentSizeLevel, documentSizeNotice, fitsDocument, type DocumentSizeLevel, type DocumentSizeNotice } from './documentSize'

/**
 * The stored size of a room's document, kept by SQLite triggers on tldraw's `tl_documents` table, so it
 * is exact and never needs the document serialised: every insert, replace, update and delete adjusts one
 * counter row in the same transaction. Installed after SQLiteSyncStorage created its tables; the first
 * install counts what is already there once.
 */
export class DocumentSizeMeter {
	private level: DocumentSizeLevel

	constructor(
		private readonly sql: SqlStorage,
		readonly maxBytes: number,
	) {
		sql.exec('CREATE TABLE IF NOT EXISTS sw_document_bytes (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL)')
		// The triggers and the first count go in together, so no write falls between them.
		if (sql.exec('SELECT 1 FROM sw_document_bytes').toArray().length === 0) {
			sql.exec('INSERT INTO sw_document_bytes (id, bytes) SELECT 1, COALESCE(SUM(length(CAST(state AS BLOB))), 0) FROM tl_documents')
		}
		// tldraw writes with INSERT OR REPLACE, which fires no delete trigger for the row it replaces
		// (recursive_triggers is off): the insert trigger subtracts the old row itself.
		sql.exec(`CREATE TRIGGER IF NOT EXISTS sw_document_bytes_insert BEFORE INSERT ON tl_documents BEGIN
			UPDATE sw_document_bytes SET bytes = bytes + length(CAST(NEW.state AS BLOB))
				- COALESCE((SELECT length(CAST(state AS BLOB)) FROM tl_documents WHERE id = NEW.id), 0);
		END`)
		sql.exec(`CREATE TRIGGER IF NOT EXISTS sw_document_bytes_update AFTER UPDATE OF state ON tl_documents BEGIN
			UPDATE sw_document_bytes SET bytes = bytes + length(CAST(NEW.state AS BLOB)) - length(CAST(OLD.state AS BLOB));
		END`)
		sql.exec(`CREATE TRIGGER IF NOT EXISTS sw_document_bytes_delete AFTER DELETE ON tl_documents BEGIN
			UPDATE sw_document_bytes SET bytes = bytes - length(CAST(OLD.state AS BLOB));
		END`)
		this.level = documentSizeLevel(this.bytes(), maxBytes)
	}

	bytes(): number {
		return Number(this.sql.exec<{ bytes: number }>('SELECT bytes FROM sw_document_bytes').one().bytes)
	}

	/** Whether a change that may add `growthBytes` keeps the document within MAX_DOCUMENT_BYTES. */
	fits(growthBytes: number): boolean {
		return fitsDocument(this.bytes(), growthBytes, this.maxBytes)
	}

	/** After a change: the notice for every client when the document crossed the warning line, else null. */
	changedNotice(): DocumentSizeNotice | null {
		const bytes = this.bytes()
		const level = documentSizeLevel(bytes, this.maxBytes)
		if (level === this.level) return null
		this.level = level
		return documentSizeNotice(bytes, this.maxBytes)
	}

	/** For a client that just connected: the warning, while the document is near the cap. */
	currentWarning(): DocumentSizeNotice | null {
		const bytes = this.bytes()
		return documentSizeLevel(bytes, this.maxBytes) === 'warning' ? documentSizeNotice(bytes, this.maxBytes) : null
	}
}
