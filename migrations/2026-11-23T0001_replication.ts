import { sql, type Kysely } from 'kysely'

// Frozen in time. The publication names exactly the tables the replicator fans out — never
// `FOR ALL TABLES`, so unrelated tables (kysely's own, future ones) never flow through the stream.
// The replication slot is created by the replicator itself (its name depends on the environment).
export async function up(db: Kysely<any>): Promise<void> {
	await sql`CREATE PUBLICATION sync_worker FOR TABLE "user", "file", "file_state", "asset", "user_mutation_number"`.execute(db)
	// Old rows of file_state arrive whole too, so a deleted row can be routed to its user.
	await sql`ALTER TABLE "file_state" REPLICA IDENTITY FULL`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`ALTER TABLE "file_state" REPLICA IDENTITY DEFAULT`.execute(db)
	await sql`DROP PUBLICATION IF EXISTS sync_worker`.execute(db)
}
