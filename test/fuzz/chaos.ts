/**
 * A seeded chaos run against the real worker (`wrangler dev`, state on disk): several real TLSyncClient
 * writers and one read-only client make random creates, updates, deletes and batches and drop their
 * sockets at random; in some seeds workerd is SIGKILLed mid-run and started again. At the end every
 * client's document must equal the server's snapshot, every create nobody deleted must exist, and no
 * read-only write may appear anywhere. Used by `npm run fuzz` (scripts/fuzz.ts) and, for a few seeds,
 * by test/integration/chaos-fuzz.test.ts.
 *
 * The seed fixes every choice (operations, targets, drops, the kill); network timing still varies from
 * run to run, so a failing seed is replayed by running it again, usually many times.
 */
import { transact } from '@tldraw/state'
import type { TLRecord } from '@tldraw/tlschema'
import { connectClient, isConnected, makeGeoShape, waitFor, waitForAcks, type TestClient } from '../helpers/tldrawClient.ts'
import { seededRandom } from '../helpers/seededRandom.ts'
import { freePort, startWranglerDev, tempDir, type DevServer } from '../helpers/worker.ts'

export interface ChaosOptions {
	seed: number
	/** Operations in the run (all clients together). */
	ops?: number
	writers?: number
	/** Kill workerd mid-run: true, false, or decided by the seed (every even seed). */
	kill?: boolean | 'by-seed'
	log?: (line: string) => void
}

export interface ChaosResult {
	seed: number
	ok: boolean
	killed: boolean
	ops: number
	drops: number
	/** What did not hold; empty when ok. */
	failures: string[]
	shapesAtEnd: number
	ms: number
}

/**
 * Socket drops per run. Every drop is a new room connection, and local `wrangler dev` counts all
 * anonymous connections against one ROOM_CONNECT_RATE_LIMITER budget (60 a minute from 127.0.0.1).
 */
const MAX_DROPS = 15

/** The x a read-only client writes into shapes: it must never show up anywhere. */
const READONLY_SENTINEL_X = 424_242

export function killsBySeed(seed: number): boolean {
	return seed % 2 === 0
}

interface Actor {
	name: string
	client: TestClient
	readonly: boolean
	created: number
}

type Doc = Map<string, unknown>

function documentOf(store: TestClient['store']): Doc {
	return new Map(Object.entries(store.serialize('document')))
}

function stable(value: unknown): string {
	return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v))
}

function sameDocument(a: Doc, b: Doc): boolean {
	if (a.size !== b.size) return false
	for (const [id, record] of a) if (!b.has(id) || stable(record) !== stable(b.get(id))) return false
	return true
}

function describeDifference(name: string, client: Doc, server: Doc): string {
	const missing = [...server.keys()].filter((id) => !client.has(id))
	const extra = [...client.keys()].filter((id) => !server.has(id))
	const changed = [...server.keys()].filter((id) => client.has(id) && stable(client.get(id)) !== stable(server.get(id)))
	return `${name} differs from the server: missing ${JSON.stringify(missing.slice(0, 5))}, extra ${JSON.stringify(extra.slice(0, 5))}, changed ${JSON.stringify(changed.slice(0, 5))}`
}

async function serverDocument(url: string, roomId: string): Promise<Doc> {
	const res = await fetch(`${url}/r/${roomId}/snapshot`)
	if (!res.ok) throw new Error(`GET snapshot answered ${res.status}`)
	const body = (await res.json()) as { snapshot: { documents: Array<{ state: { id: string } }> } }
	return new Map(body.snapshot.documents.map((d) => [d.state.id, d.state]))
}

function shapesOf(c: TestClient): TLRecord[] {
	return c.store.allRecords().filter((r) => r.typeName === 'shape')
}

/** Closes the client's current socket as a network drop would; the adapter reconnects by itself. */
function dropSocket(c: TestClient) {
	;(c.socket as unknown as { _ws: WebSocket | null })._ws?.close()
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
	const started = Date.now()
	const { seed } = opts
	const rand = seededRandom(seed)
	const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(rand() * items.length)]
	const totalOps = opts.ops ?? 120
	const kill = opts.kill === 'by-seed' || opts.kill === undefined ? killsBySeed(seed) : opts.kill
	const killAt = kill ? Math.floor(totalOps * (0.3 + rand() * 0.4)) : -1
	const log = opts.log ?? (() => {})
	const failures: string[] = []
	const state = tempDir(`chaos-${seed}`)
	const port = await freePort()
	let dev: DevServer | null = await startWranglerDev({ persistTo: state.dir, port })
	const url = dev.url
	const roomId = `chaos-${seed}-${Date.now().toString(36)}`
	const actors: Actor[] = []
	/** Ids created by writers, and ids anyone (writer) removed. */
	const created = new Set<string>()
	const deletedByWriters = new Set<string>()
	/** What the read-only client tried: none of it may land. */
	const readonlyCreated = new Set<string>()
	const readonlyDeleted = new Set<string>()
	let drops = 0
	try {
		for (let i = 0; i < (opts.writers ?? 3); i++) actors.push({ name: `writer${i}`, client: connectClient(`${url}/r/${roomId}`), readonly: false, created: 0 })
		await Promise.all(actors.map((a) => a.client.loaded))
		const { slug } = (await (await fetch(`${url}/r/${roomId}/readonly-slug`)).json()) as { slug: string }
		const reader: Actor = { name: 'reader', client: connectClient(`${url}/ro/${slug}`), readonly: true, created: 0 }
		actors.push(reader)
		await reader.client.loaded

		for (let op = 0; op < totalOps; op++) {
			if (op === killAt && dev) {
				log(`seed ${seed}: SIGKILL workerd at op ${op}`)
				await dev.kill('SIGKILL')
				dev = null
			}
			// Offline for a few operations, then back on the same port with the same state.
			if (!dev && op >= killAt + 5) {
				dev = await startWranglerDev({ persistTo: state.dir, port })
				log(`seed ${seed}: workerd restarted at op ${op}`)
			}
			const actor = pick(actors)!
			const c = actor.client
			const roll = rand()
			if (roll < 0.05 && drops < MAX_DROPS) {
				drops++
				dropSocket(c)
				continue
			}
			// A client that has not loaded a page yet (it joined while workerd was down) cannot create.
			const page = c.store.allRecords().find((r) => r.typeName === 'page')
			const shapes = shapesOf(c)
			const act = (kind: number) => {
				const target = pick(shapes)
				if (kind < 0.45 && page) {
					const id = `${actor.name}-${seed}-${actor.created++}`
					c.store.put([makeGeoShape(c.store, id, Math.round(rand() * 1000), Math.round(rand() * 1000))])
					;(actor.readonly ? readonlyCreated : created).add(`shape:${id}`)
				} else if (kind < 0.8 && target) {
					const x = actor.readonly ? READONLY_SENTINEL_X : Math.round(rand() * 1000)
					c.store.update(target.id, (r) => ({ ...r, x }) as TLRecord)
				} else if (target) {
					c.store.remove([target.id])
					// The reader's own (never accepted) shapes are not part of the document.
					if (!actor.readonly) deletedByWriters.add(target.id)
					else if (!readonlyCreated.has(target.id)) readonlyDeleted.add(target.id)
				}
			}
			if (roll < 0.2) {
				// A batch: several changes in one transaction, as an editor action makes them.
				transact(() => {
					for (let k = 0, n = 2 + Math.floor(rand() * 4); k < n; k++) act(rand())
				})
			} else {
				act(rand())
			}
			await new Promise((r) => setTimeout(r, Math.floor(rand() * 15)))
		}
		if (!dev) dev = await startWranglerDev({ persistTo: state.dir, port })

		// Settle: everyone back online with nothing left to send, then one document everywhere.
		let lastHint = 0
		const fatal = new Map<string, string>()
		for (const a of actors) void a.client.syncError.then((reason) => fatal.set(a.name, reason))
		for (const a of actors) {
			await waitFor(
				() => {
					if (fatal.has(a.name)) throw new Error(`${a.name} was closed for good: ${fatal.get(a.name)}`)
					if (isConnected(a.client)) return true
					// What a browser does when the network comes back: an 'online' hint makes the adapter drop
					// an attempt stuck connecting (one made while wrangler dev was starting) and retry.
					if (Date.now() - lastHint > 1_000) {
						lastHint = Date.now()
						;(globalThis as unknown as EventTarget).dispatchEvent(new Event('online'))
					}
					return false
				},
				`${a.name} to reconnect (socket ${a.client.socket.connectionStatus})`,
				30_000,
			)
			await waitForAcks(a.client, 30_000)
		}
		let server = await serverDocument(url, roomId)
		try {
			await waitFor(
				async () => {
					server = await serverDocument(url, roomId)
					return actors.every((a) => sameDocument(documentOf(a.client.store), server))
				},
				'every client to equal the server snapshot',
				30_000,
			)
		} catch {
			for (const a of actors) if (!sameDocument(documentOf(a.client.store), server)) failures.push(describeDifference(a.name, documentOf(a.client.store), server))
		}
		for (const id of created) if (!deletedByWriters.has(id) && !server.has(id)) failures.push(`${id} was created, never deleted, and is missing`)
		for (const id of readonlyCreated) if (server.has(id) || actors.some((a) => a.client.store.has(id as never))) failures.push(`read-only create ${id} landed`)
		for (const id of readonlyDeleted) if (!deletedByWriters.has(id) && !server.has(id)) failures.push(`read-only delete of ${id} landed`)
		for (const [id, record] of server) if ((record as { x?: number }).x === READONLY_SENTINEL_X) failures.push(`read-only update of ${id} landed`)
		const shapesAtEnd = [...server.values()].filter((r) => (r as { typeName?: string }).typeName === 'shape').length
		return { seed, ok: failures.length === 0, killed: kill, ops: totalOps, drops, failures, shapesAtEnd, ms: Date.now() - started }
	} catch (err) {
		failures.push(`run aborted: ${err instanceof Error ? err.message : String(err)}`)
		return { seed, ok: false, killed: kill, ops: totalOps, drops, failures, shapesAtEnd: -1, ms: Date.now() - started }
	} finally {
		for (const a of actors) a.client.close()
		await dev?.kill('SIGTERM')
		state.remove()
	}
}
