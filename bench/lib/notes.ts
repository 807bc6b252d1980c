/** The report's closing notes: fixed caveats of the method, plus what this run's own data flags. */
import { corePercent } from './cpu.ts'
import type { FanoutResult } from '../scenarios/fanout.ts'
import type { DurabilityResult } from '../scenarios/durability.ts'
import type { MemoryResult } from '../scenarios/memory.ts'
import type { R2Result } from '../scenarios/r2Export.ts'
import type { ThroughputResult } from '../scenarios/throughput.ts'
import type { MachineInfo } from './machine.ts'
import type { Ratios } from './markdown.ts'

const GENERATOR_BOUND_PERCENT = 70

export interface NoteInputs {
	machine: MachineInfo
	ratios: Ratios
	previousRatios: Ratios | null
	loadAverageAtEnd: number
	// Absent when `--only` skipped the scenario.
	fanout?: FanoutResult
	throughput?: ThroughputResult
	durability?: DurabilityResult
	memory?: MemoryResult
	r2?: R2Result
}

export function collectNotes(r: NoteInputs): string[] {
	const notes = [
		`Everything ran on one ${r.machine.nproc}-core machine: the load generator, both \`wrangler dev\` instances (4 workerd processes) and both Node servers share the cores, and traffic never leaves loopback. Absolute latencies have no network in them; the ratios are the comparable part.`,
		"sync-worker, limit and limit-durable are reached through wrangler dev's proxy workerd (an extra process hop per message that production does not have). sync-worker/limit(-durable) compares like with like; sync-worker/baseline includes the hop. The run did not measure workerd without wrangler's proxy.",
		'workerd under `wrangler dev` is not the deployed platform: Durable Object SQLite is a local file without replication or output-gate latency, R2 is a local simulation, and all objects share one process.',
		'Scenario 4 compares storage back ends inside the Node baseline only; sync-worker has no in-memory mode without changing src/.',
		"Scenario 5: workerd reports no hibernation event to an outside process. Hibernation is shown by probes that detect a room object re-created behind an open socket (a half-received chunked push that is forgotten; the limit object's construction id), not by a runtime signal; in production the timing of hibernation differs. RSS deltas per room/session include allocator and JIT noise.",
		'Scenario 6: export times come from the timestamp in each version key and the upload time miniflare records for each object, both taken inside workerd; the R2 write latency of a real bucket is not represented. Writes are counted as 2 per history version (the version and the `latest` chain manifest, RoomHistory.exportNow): miniflare keeps no log of overwrites, so the manifest writes are counted at the manifest\'s final size.',
	]
	const changes = Object.entries(r.ratios)
		.map(([key, now]) => ({ now, before: r.previousRatios?.[key] ?? null }))
		.filter((c): c is { now: number; before: number } => c.now !== null && c.before !== null && c.before !== 0)
		.map((c) => Math.abs(c.now / c.before - 1))
		.sort((a, b) => a - b)
	if (changes.length > 0) {
		const median = changes[Math.floor(changes.length / 2)]!
		notes.push(`Run-to-run noise: the median ratio moved ${(median * 100).toFixed(0)}% from the previous run (${changes.length} ratios compared), p99 ratios most. On this shared machine, read a single run's change as a regression only if it is well beyond that and shows at p50 too.`)
	}
	const { loadAverageAtStart } = r.machine
	if (loadAverageAtStart > 0.5 || r.loadAverageAtEnd > 2.5) {
		notes.push(`Other work was running on the machine (1-minute load average ${loadAverageAtStart.toFixed(2)} at start, ${r.loadAverageAtEnd.toFixed(2)} at end); tails (p99, max) are the most affected.`)
	}
	const busy = (r.fanout?.runs ?? []).filter((f) => corePercent(f.cpu.generatorMs, f.cpu.wallMs) > GENERATOR_BOUND_PERCENT)
	if (busy.length > 0) {
		notes.push(`Fan-out steps where the load generator used over ${GENERATOR_BOUND_PERCENT}% of a core (its own queueing is in those latencies): ${busy.map((f) => `${f.system} × ${f.clients}`).join(', ')}.`)
	}
	for (const run of r.throughput?.runs ?? []) {
		const last = run.steps.at(-1)
		if (!last) continue
		const genPercent = corePercent(last.cpu.generatorMs, last.cpu.wallMs)
		if (run.endedBy === 'generator') {
			notes.push(`Throughput, ${run.system}: the ramp ended because the load generator could send only ${last.sentRate.toFixed(0)} of the ${last.targetRate} moves/s asked (${genPercent.toFixed(0)}% of a core), so ${run.maxSustainedRate}/s is a lower bound for the server.`)
		} else if (run.endedBy === 'server' && genPercent > GENERATOR_BOUND_PERCENT) {
			notes.push(`Throughput, ${run.system}: at the failing step (${last.targetRate}/s) the generator used ${genPercent.toFixed(0)}% of a core, so its own queueing is part of that latency.`)
		}
	}
	const closed = [...(r.fanout?.runs ?? []), ...(r.durability?.runs ?? [])].filter((f) => f.serverCloses.length > 0)
	if (closed.length > 0) {
		notes.push(`The server closed sockets during: ${closed.map((f) => `${f.system} × ${f.clients} (${f.serverCloses.map((c) => `${c.code} ${c.reason}`).join(', ')})`).join('; ')} — those runs are not valid.`)
	}
	const lost = [...(r.fanout?.runs ?? []), ...(r.durability?.runs ?? [])].filter((f) => f.lost > 0)
	if (lost.length > 0) notes.push(`Moves lost (not at every client within 5 s) in: ${lost.map((f) => `${f.system} × ${f.clients} (${f.lost})`).join(', ')}; they are left out of the percentiles.`)
	const sw = r.memory?.runs.find((m) => m.system === 'sync-worker')
	for (const m of r.memory?.runs ?? []) {
		if (m.probedRooms === 0) continue
		if (m.controlKept !== null && m.controlKept < m.probedRooms) {
			notes.push(`Hibernation, ${m.system}: the probe's control lost state in ${m.probedRooms - m.controlKept} of ${m.probedRooms} rooms without any idle period, so this run's hibernation result for ${m.system} is not valid.`)
			continue
		}
		const verdict =
			m.roomsReplaced === m.probedRooms
				? 'every probed room was re-created with its socket still open: they hibernated'
				: m.roomsReplaced === 0
					? 'no probed room lost its in-memory state: none hibernated (or was evicted) within the idle period'
					: `${m.roomsReplaced} of ${m.probedRooms} probed rooms were re-created with their sockets open (hibernated); the others stayed in memory`
		notes.push(`Hibernation, ${m.system}, after ${(m.idleMs / 1000).toFixed(0)} s idle: ${verdict}.`)
	}
	const pause = sw?.ackAfterAlarm?.p50
	const idle = sw?.ackAfterIdle?.p50
	if (pause !== undefined && idle !== undefined) {
		notes.push(`Wake-up cost, sync-worker: push acknowledgement p50 ${idle.toFixed(1)} ms after the idle period against ${pause.toFixed(1)} ms shortly after the export alarm (single pushes in ${Math.ceil(sw!.rooms / 2)} rooms; each sample also carries scheduling noise).`)
	}
	if (sw && sw.socketsClosedWhileIdle > 0) notes.push(`sync-worker closed ${sw.socketsClosedWhileIdle} idle sockets during the idle period.`)
	for (const room of r.r2?.rooms ?? []) {
		if (room.exports === 0) notes.push(`R2: the ${room.shapes}-shape room wrote no export inside the active window.`)
	}
	return notes
}
