import { readFileSync } from 'node:fs'

const REPO_ROOT = new URL('../..', import.meta.url).pathname

/**
 * A `[vars]` string value as the repo's wrangler.toml sets it (a flat `KEY = "value"` line), else the default
 * src/config.ts declares for it (`DEFAULT_<KEY> = 8_000`, a plain number), or null.
 */
export function readWranglerVar(name: string, configPath = 'wrangler.toml'): string | null {
	const toml = readFileSync(REPO_ROOT + configPath, 'utf8')
	const set = new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm').exec(toml)?.[1]
	if (set !== undefined) return set
	const config = readFileSync(REPO_ROOT + 'src/config.ts', 'utf8')
	return new RegExp(`DEFAULT_${name}\\s*=\\s*([\\d_]+)\\s*$`, 'm').exec(config)?.[1]?.replaceAll('_', '') ?? null
}
