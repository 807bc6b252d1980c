import { describe, expect, it } from 'vitest'
import { compareLsn, formatLsn, parseLsn } from '../../src/user/lsn'

describe('parseLsn / formatLsn', () => {
	it.each([
		['0/0', 0n, '0/0'],
		['0/1', 1n, '0/1'],
		['1/0', 1n << 32n, '1/0'],
		['16/B374D848', 0x16b374d848n, '16/B374D848'],
		['16/b374d848', 0x16b374d848n, '16/B374D848'],
		['0/00000010', 16n, '0/10'],
		['FFFFFFFF/FFFFFFFF', (1n << 64n) - 1n, 'FFFFFFFF/FFFFFFFF'],
	])('%s is %s and prints as %s', (text, value, printed) => {
		expect(parseLsn(text)).toBe(value)
		expect(formatLsn(value)).toBe(printed)
		expect(parseLsn(formatLsn(value))).toBe(value)
	})

	it.each(['', '0', '/', '0/', '/0', '16-B374D848', '1/2/3', 'G/0', '0/G', '100000000/0', '0/100000000', ' 0/0', '0/0 ', '-1/0', '0x1/0'])(
		'rejects %j',
		(text) => {
			expect(() => parseLsn(text)).toThrow(/not an LSN/)
		},
	)

	it.each([-1n, 1n << 64n])('formatLsn rejects %s', (value) => {
		expect(() => formatLsn(value)).toThrow(/out of range/)
	})
})

describe('compareLsn', () => {
	it.each([
		['0/0', '0/0', 0],
		['0/1', '0/0', 1],
		['9/0', '10/0', -1],
		['0/9', '0/10', -1],
		['0/FFFFFFFF', '1/0', -1],
		['A/0', '9/FFFFFFFF', 1],
		['16/B374D848', '16/b374d848', 0],
		['FFFFFFFF/FFFFFFFF', '0/0', 1],
	] as const)('%s vs %s → %i', (a, b, expected) => {
		expect(compareLsn(a, b)).toBe(expected)
		expect(compareLsn(b, a)).toBe(-expected || 0)
		expect(compareLsn(parseLsn(a), b)).toBe(expected)
	})

	it('sorts numerically where string order is wrong', () => {
		const lsns = ['10/0', '9/0', '0/A', '0/9', '1/0']
		expect([...lsns].sort(compareLsn)).toEqual(['0/9', '0/A', '1/0', '9/0', '10/0'])
		expect([...lsns].sort()).not.toEqual(['0/9', '0/A', '1/0', '9/0', '10/0'])
	})
})
