import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

// Row types for the tables of migrations/ (camelCase column names, as the migration creates them).
// `pg` returns timestamptz as Date and bigint as string (it can exceed 2^53).

/** A timestamptz with a default (now()): optional on insert. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type BigIntColumn = ColumnType<string, string | number | bigint, string | number | bigint>

export const SharedLinkType = { VIEW: 'view', EDIT: 'edit' } as const
export type SharedLinkType = (typeof SharedLinkType)[keyof typeof SharedLinkType]

export interface UserTable {
	/** The Clerk user id. */
	id: string
	name: Generated<string>
	email: Generated<string>
	avatar: Generated<string>
	color: Generated<string>
	preferences: ColumnType<Record<string, unknown>, string | undefined, string>
	createdAt: Timestamp
	updatedAt: Timestamp
}

export interface FileTable {
	id: string
	ownerId: string
	name: Generated<string>
	shared: Generated<boolean>
	sharedLinkType: Generated<SharedLinkType>
	published: Generated<boolean>
	publishedSlug: string | null
	lastPublished: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
	isDeleted: Generated<boolean>
	/** Where a new file's content comes from (see src/room/createSource.ts); null for an empty file. */
	createSource: string | null
	thumbnail: Generated<string>
	createdAt: Timestamp
	updatedAt: Timestamp
}

export interface FileStateTable {
	userId: string
	fileId: string
	firstVisitAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
	lastVisitAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
	lastEditAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
	isPinned: Generated<boolean>
}

export interface AssetTable {
	objectName: string
	fileId: string | null
	userId: string | null
	size: BigIntColumn
	contentType: string
	uploadedAt: Timestamp
}

export interface UserMutationNumberTable {
	userId: string
	mutationNumber: ColumnType<string, string | number | bigint | undefined, string | number | bigint>
}

/** Ids of removed files, which may never be used again (see src/db/fileTombstones.ts). */
export interface FileTombstoneTable {
	id: string
	removedAt: Timestamp
}

/** Ids of deleted users (DELETE /app/me), which may never get a row again (see src/db/userTombstones.ts). */
export interface UserTombstoneTable {
	id: string
	removedAt: Timestamp
}

export interface Database {
	user: UserTable
	file: FileTable
	file_state: FileStateTable
	asset: AssetTable
	user_mutation_number: UserMutationNumberTable
	file_tombstone: FileTombstoneTable
	user_tombstone: UserTombstoneTable
}

export type UserRow = Selectable<UserTable>
export type NewUser = Insertable<UserTable>
export type FileRow = Selectable<FileTable>
export type NewFileRow = Insertable<FileTable>
export type FileRowUpdate = Updateable<FileTable>
export type FileStateRow = Selectable<FileStateTable>
export type AssetRow = Selectable<AssetTable>
export type UserMutationNumberRow = Selectable<UserMutationNumberTable>
