import type { CreateFileInput, FileListEntry, FilePatch, FileRepository, UpsertUserInput } from '../../src/db/FileRepository'
import type { FileRow, FileStateRow, UserRow } from '../../src/db/schema'

/**
 * In-memory FileRepository with the Postgres version's semantics (test/fakes/fileRepositoryContract.ts
 * runs against both). `now` is a strictly increasing clock so ordering by creation time is deterministic.
 */
export class FakeFileRepository implements FileRepository {
	readonly users = new Map<string, UserRow>()
	readonly files = new Map<string, FileRow>()
	readonly states = new Map<string, FileStateRow>()
	/** Every call, in order, for tests that assert what a handler did. */
	readonly calls: Array<{ method: keyof FileRepository; args: unknown[] }> = []
	private lastMs = Date.UTC(2026, 0, 1)

	constructor(private readonly clock?: () => Date) {}

	private now(): Date {
		if (this.clock) return this.clock()
		this.lastMs += 1
		return new Date(this.lastMs)
	}

	private log(method: keyof FileRepository, ...args: unknown[]) {
		this.calls.push({ method, args })
	}

	async upsertUser(input: UpsertUserInput): Promise<UserRow> {
		this.log('upsertUser', input)
		const existing = this.users.get(input.id)
		const name = input.name ?? ''
		const email = input.email ?? ''
		if (!existing) {
			const now = this.now()
			const row: UserRow = { id: input.id, name, email, avatar: '', color: '', preferences: {}, createdAt: now, updatedAt: now }
			this.users.set(row.id, row)
			return { ...row }
		}
		const fillName = existing.name === '' && name !== ''
		const newEmail = email !== '' && email !== existing.email
		if (fillName || newEmail) {
			const row = { ...existing, name: fillName ? name : existing.name, email: newEmail ? email : existing.email, updatedAt: this.now() }
			this.users.set(row.id, row)
			return { ...row }
		}
		return { ...existing }
	}

	async getFile(fileId: string): Promise<FileRow | null> {
		this.log('getFile', fileId)
		const file = this.files.get(fileId)
		return file ? { ...file } : null
	}

	async createFile(input: CreateFileInput): Promise<FileRow> {
		this.log('createFile', input)
		if (this.files.has(input.id)) throw new Error(`duplicate key value violates unique constraint "file_pkey" (${input.id})`)
		if (!this.users.has(input.ownerId)) throw new Error(`insert or update on table "file" violates foreign key constraint (${input.ownerId})`)
		const now = this.now()
		const file: FileRow = {
			id: input.id,
			ownerId: input.ownerId,
			name: input.name ?? '',
			shared: input.shared ?? false,
			sharedLinkType: input.sharedLinkType ?? 'edit',
			published: false,
			publishedSlug: null,
			lastPublished: null,
			isDeleted: false,
			createSource: input.createSource ?? null,
			thumbnail: '',
			createdAt: now,
			updatedAt: now,
		}
		this.files.set(file.id, file)
		const key = stateKey(input.ownerId, input.id)
		if (!this.states.has(key)) {
			this.states.set(key, { userId: input.ownerId, fileId: input.id, firstVisitAt: now, lastVisitAt: now, lastEditAt: null, isPinned: false })
		}
		return { ...file }
	}

	async listFilesForUser(userId: string): Promise<FileListEntry[]> {
		this.log('listFilesForUser', userId)
		const entries: FileListEntry[] = []
		for (const file of this.files.values()) {
			if (file.isDeleted) continue
			const state = this.states.get(stateKey(userId, file.id)) ?? null
			const isOwner = file.ownerId === userId
			if (isOwner || (file.shared && state)) entries.push({ file: { ...file }, state: state ? { ...state } : null, isOwner })
		}
		return entries.sort(
			(a, b) => b.file.createdAt.getTime() - a.file.createdAt.getTime() || (a.file.id < b.file.id ? -1 : a.file.id > b.file.id ? 1 : 0),
		)
	}

	async updateFile(fileId: string, patch: FilePatch): Promise<FileRow | null> {
		this.log('updateFile', fileId, patch)
		const file = this.files.get(fileId)
		if (!file || file.isDeleted) return null
		const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as FilePatch
		const row: FileRow = { ...file, ...set, updatedAt: this.now() }
		this.files.set(fileId, row)
		return { ...row }
	}

	async softDeleteFile(fileId: string): Promise<FileRow | null> {
		this.log('softDeleteFile', fileId)
		const file = this.files.get(fileId)
		if (!file || file.isDeleted) return null
		const row: FileRow = { ...file, isDeleted: true, updatedAt: this.now() }
		this.files.set(fileId, row)
		return { ...row }
	}

	async recordVisit(userId: string, fileId: string, at?: Date): Promise<FileStateRow> {
		this.log('recordVisit', userId, fileId, at)
		if (!this.users.has(userId) || !this.files.has(fileId)) throw new Error('file_state violates foreign key constraint')
		const when = at ?? this.now()
		const key = stateKey(userId, fileId)
		const existing = this.states.get(key)
		const row: FileStateRow = existing
			? { ...existing, firstVisitAt: existing.firstVisitAt ?? when, lastVisitAt: when }
			: { userId, fileId, firstVisitAt: when, lastVisitAt: when, lastEditAt: null, isPinned: false }
		this.states.set(key, row)
		return { ...row }
	}
}

function stateKey(userId: string, fileId: string) {
	return `${userId}\u0000${fileId}`
}
