import type { Db } from '../db/createDb'

/** A file the user owns, with what a purge needs to find its storage outside Postgres. */
export interface OwnedFile {
	id: string
	name: string
	publishedSlug: string | null
	createSource: string | null
}

/** Everything Postgres holds about one user, for the export and the purge (DELETE /app/me). */
export function createUserDataRepository(db: Db) {
	return {
		getUser: (userId: string) => db.selectFrom('user').selectAll().where('id', '=', userId).executeTakeFirst(),

		ownedFiles: (userId: string): Promise<OwnedFile[]> =>
			db.selectFrom('file').select(['id', 'name', 'publishedSlug', 'createSource']).where('ownerId', '=', userId).orderBy('createdAt').execute(),

		/** Every file row the user owns, deleted or not (the export lists them all). */
		fileRows: (userId: string) => db.selectFrom('file').selectAll().where('ownerId', '=', userId).orderBy('createdAt').execute(),

		fileStates: (userId: string) => db.selectFrom('file_state').selectAll().where('userId', '=', userId).execute(),

		/**
		 * Live files of others that the user has opened (a file_state row): the rooms where they may have
		 * sessions. Every signed-in connect to a file room records a visit first, links included.
		 */
		visitedFiles: async (userId: string): Promise<string[]> => {
			const rows = await db
				.selectFrom('file_state')
				.innerJoin('file', 'file.id', 'file_state.fileId')
				.select('file.id')
				.where('file_state.userId', '=', userId)
				.where('file.ownerId', '<>', userId)
				.where('file.isDeleted', '=', false)
				.execute()
			return rows.map((r) => r.id)
		},

		/** Assets uploaded by the user or into one of their files. */
		assetNames: async (userId: string): Promise<string[]> => {
			const rows = await db
				.selectFrom('asset')
				.select('objectName')
				.where((eb) => eb.or([eb('userId', '=', userId), eb('fileId', 'in', eb.selectFrom('file').select('id').where('ownerId', '=', userId))]))
				.execute()
			return rows.map((r) => r.objectName)
		},

		/**
		 * Removes the user's rows in one transaction: their assets, their files (returned, so files created
		 * after the purge began are purged too; the tombstone trigger retires each id), then the user, whose
		 * cascade takes file_state and user_mutation_number.
		 */
		deleteUserRows: (userId: string, assetNames: readonly string[]): Promise<OwnedFile[]> =>
			db.transaction().execute(async (tx) => {
				if (assetNames.length > 0) await tx.deleteFrom('asset').where('objectName', 'in', [...assetNames]).execute()
				await tx.deleteFrom('asset').where('userId', '=', userId).execute()
				const files = await tx.deleteFrom('file').where('ownerId', '=', userId).returning(['id', 'name', 'publishedSlug', 'createSource']).execute()
				await tx.deleteFrom('user').where('id', '=', userId).execute()
				return files
			}),
	}
}
export type UserDataRepository = ReturnType<typeof createUserDataRepository>
