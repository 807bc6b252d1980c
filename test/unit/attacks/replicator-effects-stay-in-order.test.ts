/**
 * Issue 12 item 3. The replicator's room effects for one file are applied in commit order, each against the
 * file's current row, and a publish interrupted between its two writes completes on retry. Attack (as the
 * issue found it): a publish fails half-way, the owner unpublishes, the unpublish succeeds, then the retried
 * publish writes the public copy again while the database says unpublished. Driven through the
 * replicator's own effect runner and the real applyFileRowChange over a fake room and bucket whose
 * write to the slug fails once.
 */
import { describe, expect, it } from 'vitest'
import { applyFileRowChange } from '../../../src/files/applyFileRowChange'
import { runRoomEffects, type PendingEffect } from '../../../src/replication/runRoomEffects'
import type { JsonRow } from '../../../src/replication/types'
import { published, replicated, row, T1, world } from '../../fakes/fileRowChangeWorld'

const PUBLIC_COPY = 'published/slug1'

/** The replicator's outbox for one run: pending effects, the database's rows, and what happened to each. */
function outbox(w: ReturnType<typeof world>, rows: Map<string, JsonRow | null>) {
	const pending: PendingEffect[] = []
	const log: string[] = []
	let nextId = 1
	return {
		log,
		add(before: JsonRow | null, after: JsonRow | null, fileId = 'f1') {
			pending.push({ id: nextId++, effect: { fileId, before, after }, attempts: 0 })
		},
		pass: () =>
			runRoomEffects(
				[...pending],
				{
					apply: (before, after) => applyFileRowChange(w.deps, before, after),
					currentRow: async (fileId) => rows.get(fileId) ?? null,
					done: (id) => {
						log.push(`done ${id}`)
						pending.splice(pending.findIndex((p) => p.id === id), 1)
					},
					retry: (id) => {
						log.push(`retry ${id}`)
						pending.find((p) => p.id === id)!.attempts++
					},
					giveUp: () => {},
				},
				30,
			),
		pending,
	}
}

describe('replicator effects stay in order', () => {
	it('a publish that failed half-way and then an unpublish leave no public copy', async () => {
		// The slug's write fails twice: the publish is still failing when the unpublish arrives.
		const w = world(0, PUBLIC_COPY, 2)
		const rows = new Map<string, JsonRow | null>([['f1', replicated(published(T1))]])
		const box = outbox(w, rows)
		box.add(replicated(row()), replicated(published(T1)))
		await box.pass()
		expect(box.log).toEqual(['retry 1'])

		// The owner unpublishes; its effect must not overtake the publish, which now acts on the current row.
		rows.set('f1', replicated(published(T1, { published: false })))
		box.add(replicated(published(T1)), replicated(published(T1, { published: false })))
		for (let pass = 0; pass < 3 && box.pending.length > 0; pass++) await box.pass()
		expect(box.pending).toEqual([])
		expect(w.objects.has(PUBLIC_COPY)).toBe(false)
	})

	it('a later effect of the same file waits behind a failed one; other files go on', async () => {
		const w = world(3) // the room fails three times: one effect's every attempt within a pass
		const f2 = replicated(row({ id: 'f2', name: 'Other' }))
		const box = outbox(w, new Map([['f1', replicated(row({ name: 'Second' }))], ['f2', f2]]))
		box.add(replicated(row()), replicated(row({ name: 'First' })))
		box.add(replicated(row({ name: 'First' })), replicated(row({ name: 'Second' })))
		box.add(replicated(row({ id: 'f2' })), f2, 'f2')
		await box.pass()
		expect(box.log).toEqual(['retry 1', 'done 3'])
		await box.pass()
		expect(box.log).toEqual(['retry 1', 'done 3', 'done 1', 'done 2'])
		// Both acted on the current row: the room was told the name it has now.
		expect(w.calls.filter((c) => c.roomKey === 'file:f1').map((c) => c.after?.name)).toEqual(['Second', 'Second'])
	})

	it('a publish interrupted between its two writes completes on retry, with the content of the publish', async () => {
		const w = world(0, PUBLIC_COPY)
		const box = outbox(w, new Map([['f1', replicated(published(T1))]]))
		box.add(replicated(row()), replicated(published(T1)))
		await box.pass()
		await box.pass()
		expect(box.log).toEqual(['retry 1', 'done 1'])
		expect(JSON.parse(w.objects.get(PUBLIC_COPY)!)).toEqual({ clock: 7, documents: [] })
		expect(w.reads).toHaveLength(1) // the room was read once: the retry copied the history copy
	})
})
