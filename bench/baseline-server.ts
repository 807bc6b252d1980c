/**
 * The baseline: tldraw's TLSocketRoom self-hosted on plain Node with `ws`, the way tldraw's docs describe
 * self-hosting: one room per id, created on first connect, fed through handleSocketConnect /
 * handleSocketMessage / handleSocketClose.
 *
 *   node bench/baseline-server.ts --port 8080 [--storage memory|sqlite] [--dir DIR]
 *
 * `--storage memory` (default) keeps rooms in InMemorySyncStorage; `--storage sqlite` uses SQLiteSyncStorage
 * on node:sqlite, one database file per room under --dir (as each Durable Object has its own SQLite), so
 * the cost of durability can be measured with everything else equal. Rooms are never closed: an empty
 * in-memory room would lose its document, and the benchmark reuses rooms across connections.
 *
 * GET /health answers 200; GET /stats answers memory use (after a GC when run with --expose-gc) and counts.
 */
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { parseArgs } from 'node:util'
import { NodeSqliteWrapper, SQLiteSyncStorage, TLSocketRoom, type TLSyncStorage } from '@tldraw/sync-core'
import type { TLRecord } from '@tldraw/tlschema'
import { schema } from '../schema/index.ts'
import { WebSocketServer, type WebSocket } from 'ws'

const { values: args } = parseArgs({
	options: {
		port: { type: 'string' },
		storage: { type: 'string', default: 'memory' },
		dir: { type: 'string' },
	},
})
const port = Number(args.port)
if (!Number.isInteger(port) || port <= 0) throw new Error('--port is required')
if (args.storage !== 'memory' && args.storage !== 'sqlite') throw new Error('--storage must be memory or sqlite')
if (args.storage === 'sqlite' && !args.dir) throw new Error('--storage sqlite needs --dir')

const rooms = new Map<string, TLSocketRoom<TLRecord, void>>()
let openSockets = 0

function createStorage(roomId: string): TLSyncStorage<TLRecord> | undefined {
	if (args.storage === 'memory') return undefined // TLSocketRoom's default: InMemorySyncStorage
	mkdirSync(args.dir!, { recursive: true })
	const db = new DatabaseSync(join(args.dir!, `${roomId}.sqlite`))
	// WAL is what a Node deployment would pick for a write-heavy store (Durable Object SQLite uses WAL too).
	db.exec('PRAGMA journal_mode = WAL')
	return new SQLiteSyncStorage<TLRecord>({ sql: new NodeSqliteWrapper(db) })
}

function getRoom(roomId: string): TLSocketRoom<TLRecord, void> {
	let room = rooms.get(roomId)
	if (!room) {
		room = new TLSocketRoom<TLRecord, void>({ schema, storage: createStorage(roomId) })
		rooms.set(roomId, room)
	}
	return room
}

function handleConnection(ws: WebSocket, roomId: string, sessionId: string) {
	const room = getRoom(roomId)
	openSockets++
	// A socket without addEventListener: the room leaves message and close handling to us.
	room.handleSocketConnect({
		sessionId,
		socket: {
			send: (data: string) => ws.send(data),
			close: (code?: number, reason?: string) => ws.close(code, reason),
			get readyState() {
				return ws.readyState
			},
		},
	})
	ws.on('message', (data, isBinary) => room.handleSocketMessage(sessionId, isBinary ? new Uint8Array(data as Buffer) : data.toString()))
	ws.on('close', () => {
		openSockets--
		room.handleSocketClose(sessionId)
	})
	ws.on('error', () => room.handleSocketClose(sessionId))
}

function stats() {
	;(globalThis as { gc?: () => void }).gc?.()
	const sessions = [...rooms.values()].reduce((n, r) => n + r.getNumActiveSessions(), 0)
	return { ...process.memoryUsage(), rooms: rooms.size, sessions, openSockets, storage: args.storage }
}

const server = createServer((req, res) => {
	const path = new URL(req.url ?? '/', 'http://x').pathname
	if (path === '/health' || path === '/stats') {
		res.writeHead(200, { 'content-type': 'application/json' })
		res.end(JSON.stringify(path === '/health' ? { ok: true } : stats()))
		return
	}
	res.writeHead(404).end()
})

const wss = new WebSocketServer({ noServer: true })
server.on('upgrade', (req, socket, head) => {
	const url = new URL(req.url ?? '/', 'http://x')
	const roomId = /^\/r\/([A-Za-z0-9_-]{1,128})$/.exec(url.pathname)?.[1]
	const sessionId = url.searchParams.get('sessionId')
	if (!roomId || !sessionId) {
		socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')
		return
	}
	wss.handleUpgrade(req, socket, head, (ws) => handleConnection(ws, roomId, sessionId))
})

server.listen(port, '127.0.0.1', () => console.log(`baseline (${args.storage}) listening on ${port}`))
process.on('SIGTERM', () => process.exit(0))
