import { DurableObject } from 'cloudflare:workers'
import { getConfig, type Config } from '../src/config'
import { createDb } from '../src/db/createDb'
import type { Env } from '../src/env'
import { nextPurgeStep, type PurgeStep } from '../src/me/nextPurgeStep'
import { closeSessionsOfUser, collectUserData, forgetUserObject, purgeFileStorage, purgeUploads } from '../src/me/purgeStorage'
import { PurgeStore } from '../src/me/PurgeStore'
import { createUserDataRepository } from '../src/me/UserDataRepository'

export type PurgeStatus =
	| { state: 'idle' }
	| { state: 'running'; filesDone: number; filesTotal: number; startedAt: string }
	| { state: 'done' }

/** A stalled job (crash, eviction, failing step) is picked up again by an alarm this often. */
const RESUME_AFTER_MS = 5_000
/** Uploads deleted per step. */
const ASSETS_PER_STEP = 500

/**
 * One per user (`purge:<userId>`): DELETE /app/me's job (README "Your data: export and deletion"). Progress lives in this object's SQLite
 * and an alarm stays armed while the job runs, so a job interrupted at any point (crash, deploy,
 * eviction) resumes at its next step; steps are idempotent, so calling DELETE /app/me again is harmless.
 * When the job is done this object deletes its own storage: nothing of the user is left here either.
 */
export class PurgeDurableObject extends DurableObject<Env> {
	private readonly config: Config
	private store: PurgeStore
	private running: Promise<PurgeStatus> | null = null

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env)
		this.config = getConfig(env)
		this.store = new PurgeStore(ctx.storage.sql)
	}

	/** Starts (or resumes) the purge of `userId`'s data; returns once it is done or paused between steps. */
	async start(userId: string): Promise<PurgeStatus> {
		this.store.begin(userId, Date.now())
		await this.ctx.storage.setAlarm(Date.now() + RESUME_AFTER_MS)
		return this.run()
	}

	async status(): Promise<PurgeStatus> {
		if (!this.store.userId()) return { state: 'idle' }
		const p = this.store.progress()
		return { state: 'running', filesDone: p.filesDone, filesTotal: p.filesTotal, startedAt: new Date(p.startedAt).toISOString() }
	}

	override async alarm() {
		if (!this.store.userId()) return
		await this.ctx.storage.setAlarm(Date.now() + RESUME_AFTER_MS)
		await this.run()
	}

	/** Runs steps until the job is done; with PURGE_STEP_DELAY_MS, one step per alarm. One run at a time. */
	private run(): Promise<PurgeStatus> {
		this.running ??= (async () => {
			try {
				for (;;) {
					const state = this.store.state()
					if (!state) return { state: 'idle' } as const
					const step = nextPurgeStep(state)
					await this.execute(step, this.store.userId()!)
					if (step.kind === 'finish') return { state: 'done' } as const
					if (this.config.purgeStepDelayMs > 0) {
						await this.ctx.storage.setAlarm(Date.now() + this.config.purgeStepDelayMs)
						return this.status()
					}
				}
			} finally {
				this.running = null
			}
		})()
		return this.running
	}

	private async execute(step: PurgeStep, userId: string): Promise<void> {
		switch (step.kind) {
			case 'collect': {
				const { files, assets, rooms } = await this.withDb((db) => collectUserData(db, userId))
				this.ctx.storage.transactionSync(() => {
					this.store.addFiles(files)
					this.store.addAssets(assets)
					this.store.addRooms(rooms)
					this.store.markCollected()
				})
				return
			}
			case 'purge-file': {
				const file = this.store.file(step.fileId)
				if (file) await purgeFileStorage(this.env, file)
				this.store.fileDone(step.fileId)
				return
			}
			case 'purge-assets': {
				const names = this.store.pendingAssets(ASSETS_PER_STEP)
				await purgeUploads(this.env, names)
				this.store.assetsDone(names)
				return
			}
			case 'delete-rows': {
				const late = await this.withDb(async (db) => {
					const repo = createUserDataRepository(db)
					// Stored before the rows that name these rooms go, so a crash right after still knows them.
					this.store.addRooms(await repo.visitedFiles(userId))
					return repo.deleteUserRows(userId, this.store.allAssets())
				})
				await forgetUserObject(this.env, userId)
				this.ctx.storage.transactionSync(() => {
					// Files created while the job ran come back here; their storage is purged next.
					this.store.addFiles(late)
					this.store.markRowsDeleted()
				})
				return
			}
			case 'close-sessions':
				await closeSessionsOfUser(this.env, step.fileId, userId)
				this.store.roomDone(step.fileId)
				return
			case 'finish':
				await this.ctx.storage.deleteAlarm()
				await this.ctx.storage.deleteAll()
				this.store = new PurgeStore(this.ctx.storage.sql)
				return
		}
	}

	private async withDb<T>(fn: (db: ReturnType<typeof createDb>['db']) => Promise<T>): Promise<T> {
		if (!this.config.databaseUrl) throw new Error('DATABASE_URL is not set')
		const { db, close } = createDb(this.config.databaseUrl)
		try {
			return await fn(db)
		} finally {
			await close()
		}
	}
}
