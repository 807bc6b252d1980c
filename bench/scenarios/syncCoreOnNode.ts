/**
 * Scenario 7b — the cost of one push inside @tldraw/sync-core itself, on Node in this process: TLSocketRoom
 * with SQLiteSyncStorage on node:sqlite (what a room does on Durable Object SQLite) against
 * InMemorySyncStorage, ten sessions on in-process sockets, and the SQL statements sync-core runs per push
 * (counted by wrapping NodeSqliteWrapper). Separates the storage layer's work from the runtime's.
 */
import { DatabaseSync } from 'node:sqlite'
import { NodeSqliteWrapper, SQLiteSyncStorage, TLSocketRoom, type TLSqliteInputValue, type TLSqliteRow, type TLSyncSqliteWrapper } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { schema } from '../../schema/index.ts'
import { geoShape, moveDiff, MOVED_SHAPE_ID } from '../clients/shapes.ts'
import { PROTOCOL_VERSION, SERIALIZED_SCHEMA } from '../clients/syncProtocol.ts'
import { table } from '../lib/markdown.ts'

const SESSIONS = 10
const PUSHES = 2_000

export interface SyncCoreRun {
	storage: 'sqlite' | 'memory'
	pushes: number
	microsPerPush: number
	/** SQL statements sync-core ran per push, by statement (sqlite only). */
	statementsPerPush: Record<string, number>
}

/** Counts every statement run through the wrapper, keyed by its first words. */
function countingWrapper(inner: TLSyncSqliteWrapper, counts: Map<string, number>): TLSyncSqliteWrapper {
	const label = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 60)
	return {
		config: inner.config,
		exec: (sql) => inner.exec(sql),
		transaction: (fn) => {
			counts.set('(transaction)', (counts.get('(transaction)') ?? 0) + 1)
			return inner.transaction(fn)
		},
		prepare: ((sql: string) => {
			const stmt = inner.prepare<TLSqliteRow, TLSqliteInputValue[]>(sql)
			const hit = () => counts.set(label(sql), (counts.get(label(sql)) ?? 0) + 1)
			return {
				all: (...b: TLSqliteInputValue[]) => (hit(), stmt.all(...b)),
				run: (...b: TLSqliteInputValue[]) => (hit(), stmt.run(...b)),
				iterate: (...b: TLSqliteInputValue[]) => (hit(), stmt.iterate(...b)),
			}
		}) as TLSyncSqliteWrapper['prepare'],
	}
}

async function measure(kind: 'sqlite' | 'memory'): Promise<SyncCoreRun> {
	const counts = new Map<string, number>()
	const storage = kind === 'sqlite' ? new SQLiteSyncStorage<TLRecord>({ sql: countingWrapper(new NodeSqliteWrapper(new DatabaseSync(':memory:')), counts) }) : undefined
	const room = new TLSocketRoom<TLRecord, void>({ schema, storage, clientTimeout: Infinity })
	const socket = () => ({ readyState: 1, send: () => undefined, close: () => undefined })
	for (let i = 0; i < SESSIONS; i++) {
		room.handleSocketConnect({ sessionId: `s${i}`, socket: socket() as never })
		room.handleSocketMessage(`s${i}`, JSON.stringify({ type: 'connect', connectRequestId: `c${i}`, lastServerClock: -1, protocolVersion: PROTOCOL_VERSION, schema: SERIALIZED_SCHEMA }))
	}
	await new Promise((r) => setTimeout(r, 50))
	let clientClock = 0
	const push = (diff: unknown) => room.handleSocketMessage('s0', JSON.stringify({ type: 'push', clientClock: ++clientClock, diff }))
	push({ [MOVED_SHAPE_ID]: ['put', geoShape('page:page', MOVED_SHAPE_ID, 0, 0)] })
	for (let i = 0; i < 200; i++) push(moveDiff(MOVED_SHAPE_ID, i + 1)) // warm-up
	await new Promise((r) => setTimeout(r, 50))
	counts.clear()
	const started = performance.now()
	for (let i = 0; i < PUSHES; i++) push(moveDiff(MOVED_SHAPE_ID, 1000 + i))
	const elapsed = performance.now() - started
	room.close()
	return {
		storage: kind,
		pushes: PUSHES,
		microsPerPush: (elapsed * 1000) / PUSHES,
		statementsPerPush: Object.fromEntries([...counts].map(([k, n]) => [k, n / PUSHES]).sort((a, b) => (b[1] as number) - (a[1] as number))),
	}
}

export async function runSyncCoreOnNode(): Promise<SyncCoreRun[]> {
	return [await measure('sqlite'), await measure('memory')]
}

export function renderSyncCoreOnNode(runs: SyncCoreRun[]): string {
	const sqlite = runs.find((r) => r.storage === 'sqlite')
	return [
		`The same move pushes inside @tldraw/sync-core on Node (this process, no sockets, no runtime): TLSocketRoom with ${SESSIONS} sessions on in-process sockets, ${PUSHES} pushes after a warm-up. "µs per push" is the synchronous handling of one push including its broadcast to ${SESSIONS - 1} sessions.`,
		'',
		table(['storage', 'µs per push'], runs.map((r) => [r.storage === 'sqlite' ? 'SQLiteSyncStorage (node:sqlite)' : 'InMemorySyncStorage', r.microsPerPush.toFixed(1)])),
		'',
		...(sqlite
			? [
					'SQL statements SQLiteSyncStorage runs per push (sync-core\'s own; a Durable Object runs the same ones on its SQLite):',
					'',
					table(['statement', 'per push'], Object.entries(sqlite.statementsPerPush).map(([k, n]) => [`\`${k}\``, n.toFixed(2)])),
				]
			: []),
	].join('\n')
}
