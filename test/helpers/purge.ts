/** DELETE /app/me's job as a test drives it: its progress (GET /app/me/purge) is the signal to wait for. */
import type { ApiResponse } from './api'
import { waitFor } from './waitFor'

export interface PurgeProgress {
	state: 'idle' | 'running' | 'done'
	filesDone?: number
	filesTotal?: number
}

type Api = (method: string, path: string, opts?: { token?: string; body?: unknown }) => Promise<ApiResponse>

/** Resolves with the first progress report that satisfies `until`. */
export function waitForPurge(api: Api, token: string, until: (p: PurgeProgress) => boolean, what: string, timeoutMs = 30_000): Promise<PurgeProgress> {
	return waitFor(
		async () => {
			const p = (await api('GET', '/app/me/purge', { token })).body as PurgeProgress
			return until(p) && p
		},
		what,
		timeoutMs,
	)
}

/** Between two of the job's files: the moment the tests interrupt it (evicting its object, as a crash would). */
export const midway = (p: PurgeProgress) => p.state === 'running' && (p.filesDone ?? 0) >= 1 && p.filesDone! < p.filesTotal!
