/**
 * Before anything is timed: checks that the protocol-level clients speak tldraw's sync protocol the way
 * each real server expects — handshake accepted, a pushed shape committed as sent (not rebased or
 * discarded), a move relayed to another client exactly as pushed, and pings answered.
 */
import { isDeepStrictEqual } from 'node:util'
import { openSocket, PING_MESSAGE } from '../clients/openSocket.ts'
import { firstPageId, geoShape, moveDiff } from '../clients/shapes.ts'
import { PROTOCOL_VERSION } from '../clients/syncProtocol.ts'
import { TldrawProtocolClient, type ServerEvent } from '../clients/tldrawProtocolClient.ts'
import type { BenchContext } from '../lib/BenchContext.ts'
import { table } from '../lib/markdown.ts'
import type { BenchSystem, SystemName } from '../systems/BenchSystem.ts'

export interface ProtocolCheck {
	system: SystemName
	checks: string[]
	error: string | null
}

function nextEvent(client: TldrawProtocolClient, match: (e: ServerEvent) => boolean, what: string): Promise<ServerEvent> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			off()
			reject(new Error(`no ${what} within 5 s`))
		}, 5_000)
		const off = client.onEvent((e) => {
			if (!match(e)) return
			clearTimeout(timer)
			off()
			resolve(e)
		})
	})
}

async function checkTldraw(system: BenchSystem, roomId: string, checks: string[]) {
	const a = await TldrawProtocolClient.join(system.roomUrl(roomId, 'check-a'))
	const b = await TldrawProtocolClient.join(system.roomUrl(roomId, 'check-b'))
	try {
		if (a.connect.hydrationType !== 'wipe_all') throw new Error(`connect hydrationType ${a.connect.hydrationType}`)
		checks.push(`connect (protocol v${PROTOCOL_VERSION}) → full sync of ${Object.keys(a.connect.diff).length} records`)
		const shape = geoShape(firstPageId(a.connect), 'shape:check', 10, 20)
		const put = nextEvent(a.client, (e) => e.type === 'push_result', 'push_result')
		const seenPut = nextEvent(b.client, (e) => e.type === 'patch', 'patch')
		a.client.push({ 'shape:check': ['put', shape] })
		const putResult = await put
		if (putResult.type !== 'push_result' || putResult.action !== 'commit') throw new Error(`put answered ${JSON.stringify(putResult)}`)
		const putPatch = await seenPut
		if (putPatch.type !== 'patch' || !isDeepStrictEqual(putPatch.diff['shape:check'], ['put', shape])) throw new Error('other client saw a different record')
		checks.push('push put shape → commit; other client received the identical record')
		const diff = moveDiff('shape:check', 12345)
		const moved = nextEvent(a.client, (e) => e.type === 'push_result', 'push_result')
		const seenMove = nextEvent(b.client, (e) => e.type === 'patch', 'patch')
		a.client.push(diff)
		const moveResult = await moved
		if (moveResult.type !== 'push_result' || moveResult.action !== 'commit') throw new Error(`move answered ${JSON.stringify(moveResult)}`)
		const movePatch = await seenMove
		if (movePatch.type !== 'patch' || !isDeepStrictEqual(movePatch.diff, diff)) throw new Error(`other client saw ${JSON.stringify(movePatch)}`)
		checks.push("push patch {x: ['put', v]} → commit; other client received the identical patch")
		const pong = nextEvent(a.client, (e) => e.type === 'pong', 'pong')
		a.client.sendRaw(PING_MESSAGE)
		await pong
		checks.push('ping → pong')
	} finally {
		a.client.close()
		b.client.close()
	}
}

async function checkRaw(system: BenchSystem, roomId: string, checks: string[]) {
	const a = await openSocket(system.roomUrl(roomId, 'check-a'), 10_000)
	const b = await openSocket(system.roomUrl(roomId, 'check-b'), 10_000)
	try {
		const frame = JSON.stringify({ type: 'push', clientClock: 1, diff: moveDiff('shape:check', 1) })
		const relayed = b.nextMessage(5_000)
		a.send(frame)
		if ((await relayed).text !== frame) throw new Error('relayed frame differs')
		checks.push('frame relayed byte for byte to the other socket')
		const pong = a.nextMessage(5_000)
		a.send(PING_MESSAGE)
		if ((await pong).text !== '{"type":"pong"}') throw new Error('ping not auto-answered')
		checks.push('ping → pong (auto-response)')
	} finally {
		a.close()
		b.close()
	}
}

export async function runProtocolChecks(ctx: BenchContext): Promise<ProtocolCheck[]> {
	const results: ProtocolCheck[] = []
	for (const system of [ctx.syncWorker, ctx.baseline, ctx.baselineSqlite, ctx.limit, ctx.limitDurable]) {
		const checks: string[] = []
		try {
			await (system.protocol === 'tldraw' ? checkTldraw : checkRaw)(system, ctx.roomId(`check-${system.name}`), checks)
			results.push({ system: system.name, checks, error: null })
		} catch (err) {
			results.push({ system: system.name, checks, error: String(err) })
		}
	}
	return results
}

export function renderProtocolChecks(results: ProtocolCheck[]): string {
	return [
		'## Protocol check',
		'',
		"Run first, against each real server, so the protocol-level load clients are known to be speaking tldraw's sync protocol (messages from @tldraw/sync-core 5.4.2 `protocol.ts` / `diff.ts`: op tags are strings such as `'put'` and `'patch'`).",
		'',
		table(['system', 'result', 'checks'], results.map((r) => [r.system, r.error ? `FAILED: ${r.error}` : 'passed', r.checks.join('; ')])),
	].join('\n')
}
