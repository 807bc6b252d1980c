import { describe, expect, it } from 'vitest'
import { planDeliveryStep, planEffectStep, type DeliveryOutcome, type DeliveryStep, type EffectStep } from '../../src/replication/planPump'
import { SerialPump } from '../../src/util/SerialPump'
import { nextStreamStatus, streamNeedsStart, type StreamEvent, type StreamState, type StreamStatus } from '../../src/replication/streamState'

describe('streamNeedsStart', () => {
	it.each<[StreamState, boolean]>([
		['stopped', true],
		['failed', true],
		['starting', false],
		['running', false],
	])('%s → %s', (state, expected) => {
		expect(streamNeedsStart(state)).toBe(expected)
	})
})

describe('nextStreamStatus', () => {
	const s = (state: StreamState, failureReported = false): StreamStatus => ({ state, failureReported })
	// prettier-ignore
	it.each<[string, StreamStatus, StreamEvent, StreamStatus, boolean]>([
		['a first start',                                   s('stopped'),        'starting',   s('starting'),        false],
		['subscribed: running',                             s('starting'),       'subscribed', s('running'),         false],
		['a start that fails is reported',                  s('starting'),       'failed',     s('failed', true),    true],
		['a running stream that fails is reported',         s('running'),        'failed',     s('failed', true),    true],
		['the retry after a failure keeps the streak',      s('failed', true),   'starting',   s('starting', true),  false],
		['a retry that fails again is not reported again',  s('starting', true), 'failed',     s('failed', true),    false],
		['subscribing again does not end the streak',       s('starting', true), 'subscribed', s('running', true),   false],
		['data or a heartbeat ends the streak',             s('running', true),  'alive',      s('running'),         false],
		['so the next failure is reported',                 s('running'),        'failed',     s('failed', true),    true],
	])('%s', (_name, status, event, next, report) => {
		expect(nextStreamStatus(status, event)).toEqual({ status: next, report })
	})
})

describe('planDeliveryStep', () => {
	// prettier-ignore
	it.each<[DeliveryOutcome, number, DeliveryStep]>([
		['accepted',         3,   { action: 'mark-delivered', again: false }],
		['accepted',         500, { action: 'mark-delivered', again: true }],
		['nobody-connected', 3,   { action: 'unregister', again: false }],
		['nobody-connected', 500, { action: 'unregister', again: true }],
		['failed',           3,   { action: 'retry', again: false }],
		['failed',           500, { action: 'retry', again: false }],
	])('%s, %i of 500 → %j', (outcome, length, expected) => {
		expect(planDeliveryStep(outcome, length, 500)).toEqual(expected)
	})
})

describe('planEffectStep', () => {
	it.each<[boolean, number, EffectStep]>([
		[true, 0, 'done'],
		[true, 29, 'done'],
		[false, 0, 'retry'],
		[false, 28, 'retry'],
		[false, 29, 'give-up'],
		[false, 40, 'give-up'],
	])('succeeded=%s after %i attempts (max 30) → %s', (ok, attempts, expected) => {
		expect(planEffectStep(ok, attempts, 30)).toBe(expected)
	})
})

describe('SerialPump', () => {
	/** A run that waits until the test releases it, so requests can arrive while it runs. */
	function gatedPump() {
		const releases: Array<() => void> = []
		let runs = 0
		const pump = new SerialPump(async () => {
			runs++
			await new Promise<void>((r) => releases.push(r))
		})
		const releaseNext = async () => {
			while (releases.length === 0) await Promise.resolve()
			releases.shift()!()
		}
		return { pump, releaseNext, runs: () => runs }
	}

	it('runs once per request when idle', async () => {
		const { pump, releaseNext, runs } = gatedPump()
		const first = pump.request()
		await releaseNext()
		await first
		const second = pump.request()
		await releaseNext()
		await second
		expect(runs()).toBe(2)
	})

	it('requests during a run make exactly one more run, and all of them resolve after it', async () => {
		const { pump, releaseNext, runs } = gatedPump()
		const first = pump.request()
		const during = [pump.request(), pump.request(), pump.request()]
		await releaseNext()
		await releaseNext()
		await Promise.all([first, ...during])
		expect(runs()).toBe(2)
	})

	it('requestAgain from inside a run runs again', async () => {
		let runs = 0
		const pump: SerialPump = new SerialPump(async () => {
			if (++runs < 3) pump.requestAgain()
		})
		await pump.request()
		expect(runs).toBe(3)
	})

	it('a failing run rejects its waiters and the next request starts afresh', async () => {
		let fail = true
		const pump = new SerialPump(async () => {
			if (fail) throw new Error('boom')
		})
		await expect(pump.request()).rejects.toThrow('boom')
		fail = false
		await expect(pump.request()).resolves.toBeUndefined()
	})
})
