import { describe, expect, it } from 'vitest'
import { CommitTracker } from '../../src/user/commitTracker'

type Step = ['expect', string, number, string[]] | ['observe', number, string[]]

function run(steps: Step[]): CommitTracker {
	const tracker = new CommitTracker()
	for (const step of steps) {
		const out = step[0] === 'expect' ? tracker.expect(step[1], step[2]) : tracker.observe(step[1])
		expect(out, JSON.stringify(step)).toEqual(step[0] === 'expect' ? step[3] : step[2])
	}
	return tracker
}

describe('CommitTracker', () => {
	it.each<[string, Step[], string[]]>([
		['nothing expected', [['observe', 5, []]], []],
		['one mutation, replicated', [['expect', 'a', 1, []], ['observe', 1, ['a']]], []],
		['not yet replicated', [['expect', 'a', 2, []], ['observe', 1, []]], ['a']],
		[
			'several at once, in order',
			[['expect', 'a', 1, []], ['expect', 'b', 2, []], ['expect', 'c', 3, []], ['observe', 2, ['a', 'b']], ['observe', 3, ['c']]],
			[],
		],
		['a later number confirms earlier ones', [['expect', 'a', 1, []], ['expect', 'b', 2, []], ['observe', 7, ['a', 'b']]], []],
		['each id once', [['expect', 'a', 1, []], ['observe', 1, ['a']], ['observe', 1, []], ['observe', 2, []]], []],
		[
			'expected out of order (replies raced), returned by number',
			[['expect', 'b', 2, []], ['expect', 'a', 1, []], ['expect', 'c', 3, []], ['observe', 3, ['a', 'b', 'c']]],
			[],
		],
		['replication beat the reply', [['observe', 4, []], ['expect', 'a', 4, ['a']], ['expect', 'b', 3, ['b']]], []],
		['replication beat the reply, a later one still waits', [['observe', 4, []], ['expect', 'c', 5, []]], ['c']],
		['a lower replicated number (replayed) changes nothing', [['observe', 5, []], ['expect', 'a', 6, []], ['observe', 3, []]], ['a']],
		['the same id twice waits once', [['expect', 'a', 2, []], ['expect', 'a', 2, []], ['observe', 2, ['a']]], []],
		['what still waits is in number order', [['expect', 'c', 9, []], ['expect', 'a', 4, []], ['expect', 'b', 6, []], ['observe', 5, ['a']]], ['b', 'c']],
	])('%s', (_name, steps, stillWaiting) => {
		// Whatever still waits is confirmed, in number order, by a replicated number beyond them all.
		expect(run(steps).observe(Number.MAX_SAFE_INTEGER)).toEqual(stillWaiting)
	})
})
