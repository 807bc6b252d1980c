import { describe, expect, it } from 'vitest'
import { takePushToken, type PushBucket } from '../../src/room/takePushToken'

function run(times: number[], rate: number, burst: number) {
	let bucket: PushBucket | undefined
	return times.map((t) => {
		const r = takePushToken(bucket, t, rate, burst)
		bucket = r.bucket
		return r.allowed
	})
}

describe('takePushToken', () => {
	it.each([
		['a burst up to capacity passes', [0, 0, 0], 1, 3, [true, true, true]],
		['one past the burst is refused', [0, 0, 0, 0], 1, 3, [true, true, true, false]],
		['tokens refill with time', [0, 0, 1000], 1, 2, [true, true, true]],
		['refill is proportional', [0, 0, 400, 600], 2, 2, [true, true, false, true]],
		['refill never exceeds the burst', [0, 100_000, 100_000, 100_000], 10, 2, [true, true, true, false]],
		['a clock going backwards grants nothing', [1000, 1000, 0], 1, 2, [true, true, false]],
	] as const)('%s', (_name, times, rate, burst, expected) => {
		expect(run([...times], rate, burst)).toEqual(expected)
	})
})
