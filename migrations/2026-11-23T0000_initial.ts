import { sql, type Kysely } from 'kysely'

// Frozen in time: takes Kysely<any> and never imports application code.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('user')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('avatar', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('color', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('preferences', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn('createdAt', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updatedAt', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute()

	await db.schema
		.createTable('file')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('ownerId', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('shared', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('sharedLinkType', 'text', (c) => c.notNull().defaultTo('edit').check(sql`"sharedLinkType" IN ('view', 'edit')`))
		.addColumn('published', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('publishedSlug', 'text', (c) => c.unique())
		.addColumn('lastPublished', 'timestamptz')
		.addColumn('isDeleted', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('createSource', 'text')
		.addColumn('thumbnail', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('createdAt', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.addColumn('updatedAt', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute()
	await db.schema.createIndex('file_owner_idx').on('file').column('ownerId').execute()
	// Logical replication sends whole old rows, so permission changes can be compared before/after.
	await sql`ALTER TABLE "file" REPLICA IDENTITY FULL`.execute(db)

	await db.schema
		.createTable('file_state')
		.addColumn('userId', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
		.addColumn('fileId', 'text', (c) => c.notNull().references('file.id').onDelete('cascade'))
		.addColumn('firstVisitAt', 'timestamptz')
		.addColumn('lastVisitAt', 'timestamptz')
		.addColumn('lastEditAt', 'timestamptz')
		.addColumn('isPinned', 'boolean', (c) => c.notNull().defaultTo(false))
		.addPrimaryKeyConstraint('file_state_pk', ['userId', 'fileId'])
		.execute()
	await db.schema.createIndex('file_state_file_idx').on('file_state').column('fileId').execute()

	await db.schema
		.createTable('asset')
		.addColumn('objectName', 'text', (c) => c.primaryKey())
		.addColumn('fileId', 'text', (c) => c.references('file.id').onDelete('set null'))
		.addColumn('userId', 'text', (c) => c.references('user.id').onDelete('set null'))
		.addColumn('size', 'bigint', (c) => c.notNull())
		.addColumn('contentType', 'text', (c) => c.notNull())
		.addColumn('uploadedAt', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute()

	await db.schema
		.createTable('user_mutation_number')
		.addColumn('userId', 'text', (c) => c.primaryKey().references('user.id').onDelete('cascade'))
		.addColumn('mutationNumber', 'bigint', (c) => c.notNull().defaultTo(0))
		.execute()
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const t of ['user_mutation_number', 'asset', 'file_state', 'file', 'user']) {
		await db.schema.dropTable(t).ifExists().execute()
	}
}
