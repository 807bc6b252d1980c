/**
 * The one polling helper of the test suite: resolves with the first truthy value `check` returns (an
 * error thrown by `check` ends the wait at once), or throws after `timeoutMs`, naming `what`.
 *
 * Never use it, or a sleep, to show that something did *not* happen: wait instead for a later event that
 * must arrive after the absent one would have.
 */
/**
 * How long a wait lasts unless told: generous, because the suite runs on loaded 2-core machines (workerd,
 * Postgres, Chromium and vitest's workers at once), and a wait ends as soon as its signal arrives.
 */
export const DEFAULT_WAIT_MS = 20_000

export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>

export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<Truthy<T>> {
	const deadline = Date.now() + timeoutMs
	for (;;) {
		const value = await check()
		if (value) return value as Truthy<T>
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
		await new Promise((r) => setTimeout(r, 20))
	}
}
