/**
 * A two-canvas demo against a running sync-worker: two real tldraw sync clients (the same TLSyncClient
 * useSync runs) join one anonymous room, each draws a shape, one moves the other's, and a read-only
 * viewer follows along. Prints what each canvas sees.
 *   npm run demo -- [--url http://localhost:8787] [--room ROOM_ID]
 */
import { connectClient, makeGeoShape, waitFor, waitForAcks } from '../test/helpers/tldrawClient.ts'

const HELP = `usage: node scripts/demo.ts [--url URL] [--room ROOM_ID]

Connects two tldraw clients and a read-only viewer to one room of a running sync-worker and shows that they
converge. Defaults: --url http://localhost:8787, --room demo-<time>.`

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(name)
	return i >= 0 ? process.argv[i + 1] : undefined
}

async function main() {
	if (process.argv.includes('--help') || process.argv.includes('-h')) {
		console.log(HELP)
		return
	}
	const base = (arg('--url') ?? 'http://localhost:8787').replace(/\/$/, '')
	const room = arg('--room') ?? `demo-${Date.now().toString(36)}`
	const shapes = (c: ReturnType<typeof connectClient>) =>
		c.store
			.allRecords()
			.filter((r) => r.typeName === 'shape')
			.map((r) => `${r.id}@${(r as { x: number }).x}`)
			.sort()
			.join(', ') || '(none)'

	console.log(`▸ demo: two canvases in ${base.replace('http', 'ws')}/r/${room}`)
	const alice = connectClient(`${base}/r/${room}`)
	const bob = connectClient(`${base}/r/${room}`)
	await Promise.all([alice.loaded, bob.loaded])
	alice.store.put([makeGeoShape(alice.store, 'alice', 0, 0)])
	bob.store.put([makeGeoShape(bob.store, 'bob', 200, 0)])
	await waitFor(() => alice.store.has('shape:bob' as never) && bob.store.has('shape:alice' as never), 'both shapes')
	alice.store.update('shape:bob' as never, (r) => ({ ...(r as object), x: 400 }) as never)
	await waitFor(() => (bob.store.get('shape:bob' as never) as { x: number } | undefined)?.x === 400, 'the move')
	await Promise.all([waitForAcks(alice), waitForAcks(bob)])

	const { slug } = (await (await fetch(`${base}/r/${room}/readonly-slug`)).json()) as { slug: string }
	const viewer = connectClient(`${base}/ro/${slug}`)
	await viewer.loaded
	console.log(`  alice sees:  ${shapes(alice)}`)
	console.log(`  bob sees:    ${shapes(bob)}`)
	console.log(`  viewer sees: ${shapes(viewer)} (read-only: ${viewer.isReadonly()})`)
	for (const c of [alice, bob, viewer]) c.close()
	console.log(`▸ demo done: open ${base.replace('http', 'ws')}/r/${room} with useSync to see the same document`)
}

main().then(
	() => process.exit(0),
	(err) => {
		console.error('demo failed:', err instanceof Error ? err.message : err)
		process.exit(1)
	},
)
