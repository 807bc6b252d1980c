/**
 * Which of a user's mutations may be reported as committed (ARCHITECTURE.md §4). A mutation is committed to the
 * client only once replication has delivered its transaction's rows; the replicated
 * `user_mutation_number` row is the marker, and because each mutation holds that row's lock until it
 * commits, mutation numbers commit (and replicate) in increasing order.
 */
export class CommitTracker {
	/** Sorted by mutationNumber. */
	private readonly waiting: Array<{ mutationId: string; mutationNumber: number }> = []
	private replicated = -1

	/**
	 * Registers a mutation that committed in Postgres as `mutationNumber`. Returns `[mutationId]` when
	 * replication already got that far (the stream can beat the transaction's own reply), else `[]`.
	 * A mutationId already waiting is ignored.
	 */
	expect(mutationId: string, mutationNumber: number): string[] {
		if (mutationNumber <= this.replicated) return [mutationId]
		if (this.waiting.some((w) => w.mutationId === mutationId)) return []
		let at = this.waiting.length
		while (at > 0 && this.waiting[at - 1]!.mutationNumber > mutationNumber) at--
		this.waiting.splice(at, 0, { mutationId, mutationNumber })
		return []
	}

	/** Replication delivered the user's mutation number `replicated`: the mutations now committed, in order. */
	observe(replicated: number): string[] {
		if (replicated > this.replicated) this.replicated = replicated
		let count = 0
		while (count < this.waiting.length && this.waiting[count]!.mutationNumber <= this.replicated) count++
		return this.waiting.splice(0, count).map((w) => w.mutationId)
	}
}
