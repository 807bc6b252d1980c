import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// Three projects: pure logic in Node, the Durable Object inside real workerd, and end-to-end tests that
// drive the real worker (wrangler) with real tldraw clients. scripts/test.sh provides Postgres and keys.
export default defineConfig({
	test: {
		projects: [
			{
				test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000, hookTimeout: 60_000 },
			},
			{
				plugins: [
					cloudflareTest({
						wrangler: { configPath: './wrangler.toml' },
						miniflare: {
							// Small limits so the tests can reach them quickly.
							bindings: { PERSIST_INTERVAL_MS: '300', MAX_SESSIONS_PER_ROOM: '3', MAX_MESSAGE_BYTES: '65536', MAX_PUSHES_PER_SECOND: '20', PUSH_BURST: '20' },
						},
					}),
				],
				test: { name: 'workerd', include: ['test/workerd/**/*.test.ts'], testTimeout: 30_000 },
			},
			{
				test: {
					name: 'integration',
					include: ['test/integration/**/*.test.ts'],
					environment: 'node',
					testTimeout: 90_000,
					hookTimeout: 90_000,
					// Each file starts its own workerd; two cores do not gain from running more at once.
					maxWorkers: 1,
					fileParallelism: false,
				},
			},
			{
				test: {
					name: 'browser',
					include: ['test/browser/**/*.test.ts'],
					environment: 'node',
					testTimeout: 120_000,
					hookTimeout: 120_000,
					// One worker and one Chromium for the whole file (test/browser/app.test.ts).
					maxWorkers: 1,
					fileParallelism: false,
				},
			},
		],
	},
})
