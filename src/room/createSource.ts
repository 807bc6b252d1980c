import { isValidId } from '../storage/keys'

/**
 * `file.createSource`: where a new file's first content comes from, read by the room on a cold start
 * when it has neither local state nor an R2 snapshot (ARCHITECTURE.md §3). null means an empty document.
 * - `import`: a .tldr file or snapshot uploaded with POST /app/files, stored by `ImportStore` under the
 *   file's own id before the row was inserted.
 * - `duplicate:<fileId>`: a copy of another file's latest content.
 */
export type CreateSource = { kind: 'import' } | { kind: 'duplicate'; fileId: string }

export function formatCreateSource(source: CreateSource): string {
	switch (source.kind) {
		case 'import':
			return 'import'
		case 'duplicate':
			return `duplicate:${source.fileId}`
	}
}

/** null for an empty file or a value this version does not understand (the room then starts empty). */
export function parseCreateSource(value: string | null): CreateSource | null {
	if (value === 'import') return { kind: 'import' }
	if (value?.startsWith('duplicate:')) {
		const fileId = value.slice('duplicate:'.length)
		return isValidId(fileId) ? { kind: 'duplicate', fileId } : null
	}
	return null
}
