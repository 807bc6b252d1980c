/**
 * Reads the object metadata of wrangler's local R2 simulation: miniflare keeps one SQLite database per
 * bucket under `<persist-to>/v3/r2/miniflare-R2BucketObject/`, with a row per object in `_mf_objects`
 * (`key`, `size`, `uploaded` in epoch ms). Read-only, while workerd keeps writing (WAL mode).
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export interface LocalR2Object {
	key: string
	size: number
	uploadedMs: number
}

export function listLocalR2Objects(persistDir: string): LocalR2Object[] {
	const dir = join(persistDir, 'v3/r2/miniflare-R2BucketObject')
	if (!existsSync(dir)) return []
	const objects: LocalR2Object[] = []
	for (const file of readdirSync(dir)) {
		if (!file.endsWith('.sqlite') || file === 'metadata.sqlite') continue
		const db = new DatabaseSync(join(dir, file), { readOnly: true })
		try {
			const rows = db.prepare('SELECT key, size, uploaded FROM _mf_objects').all() as Array<{ key: string; size: number; uploaded: number }>
			for (const r of rows) objects.push({ key: r.key, size: Number(r.size), uploadedMs: Number(r.uploaded) })
		} finally {
			db.close()
		}
	}
	return objects
}
