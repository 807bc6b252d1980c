/**
 * Postgres log sequence numbers. An LSN is a 64-bit position in the WAL, printed as two hex halves
 * ('16/B374D848'). Compare them as numbers only: as strings '9/0' sorts after '10/0'.
 */
const LSN_RE = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/
const MAX_LSN = (1n << 64n) - 1n

export function parseLsn(text: string): bigint {
	const match = LSN_RE.exec(text)
	if (!match) throw new Error(`not an LSN: ${JSON.stringify(text)}`)
	return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`)
}

/** The form Postgres prints: upper-case hex halves without padding. */
export function formatLsn(lsn: bigint): string {
	if (lsn < 0n || lsn > MAX_LSN) throw new Error(`LSN out of range: ${lsn}`)
	return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`
}

/** -1, 0 or 1, like a sort comparator; accepts either form. */
export function compareLsn(a: string | bigint, b: string | bigint): -1 | 0 | 1 {
	const x = typeof a === 'bigint' ? a : parseLsn(a)
	const y = typeof b === 'bigint' ? b : parseLsn(b)
	return x < y ? -1 : x > y ? 1 : 0
}
