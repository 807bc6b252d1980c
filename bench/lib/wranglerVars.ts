import { readFileSync } from 'node:fs'

const REPO_ROOT = new URL('../..', import.meta.url).pathname

/** A `[vars]` string value as the repo's wrangler.toml sets it (a flat `KEY = "value"` line), or null. */
export function readWranglerVar(name: string, configPath = 'wrangler.toml'): string | null {
	const toml = readFileSync(REPO_ROOT + configPath, 'utf8')
	return new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm').exec(toml)?.[1] ?? null
}
