/** CPU spent by the load generator (this process) and by a system's server processes during a step. */
import { cpuMs } from './processes.ts'

export interface CpuSpent {
	wallMs: number
	/** This process (the load generator), user + system. */
	generatorMs: number
	/** The system's server processes (10 ms resolution). */
	serverMs: number
}

export async function withCpu<T>(serverPids: number[], fn: () => Promise<T>): Promise<{ value: T; cpu: CpuSpent }> {
	const serverBefore = sumCpu(serverPids)
	const genBefore = process.cpuUsage()
	const wallBefore = performance.now()
	const value = await fn()
	const gen = process.cpuUsage(genBefore)
	return {
		value,
		cpu: {
			wallMs: performance.now() - wallBefore,
			generatorMs: (gen.user + gen.system) / 1000,
			serverMs: sumCpu(serverPids) - serverBefore,
		},
	}
}

function sumCpu(pids: number[]): number {
	return pids.reduce((sum, pid) => sum + cpuMs(pid), 0)
}

/** CPU time as a share of one core over the wall time, in percent. */
export function corePercent(cpuMsSpent: number, wallMs: number): number {
	return wallMs > 0 ? (100 * cpuMsSpent) / wallMs : 0
}
