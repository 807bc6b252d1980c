import { sql, type Kysely } from 'kysely'

// Frozen in time. Storage outside Postgres (a room's Durable Object, R2 history) is keyed by file id, so
// an id whose row was removed (a purge, the `user` cascade, plain SQL) must never be handed out again:
// whoever recreated it would inherit the old room and history. Every removed row leaves a tombstone, and
// no insert (or id change) may take a tombstoned id. Triggers, so no code path can forget either half.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('file_tombstone')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('removedAt', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
		.execute()

	await sql`
		CREATE FUNCTION sync_worker_tombstone_file() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO file_tombstone (id) VALUES (OLD.id) ON CONFLICT (id) DO NOTHING;
			RETURN OLD;
		END $$`.execute(db)
	await sql`
		CREATE TRIGGER file_tombstone_on_delete AFTER DELETE ON "file"
		FOR EACH ROW EXECUTE FUNCTION sync_worker_tombstone_file()`.execute(db)
	await sql`
		CREATE TRIGGER file_tombstone_on_id_change AFTER UPDATE OF id ON "file"
		FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION sync_worker_tombstone_file()`.execute(db)

	await sql`
		CREATE FUNCTION sync_worker_refuse_tombstoned_file_id() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF EXISTS (SELECT 1 FROM file_tombstone WHERE id = NEW.id) THEN
				RAISE EXCEPTION 'file id % was removed and cannot be used again', NEW.id USING ERRCODE = 'unique_violation';
			END IF;
			RETURN NEW;
		END $$`.execute(db)
	await sql`
		CREATE TRIGGER file_refuse_tombstoned_id BEFORE INSERT OR UPDATE OF id ON "file"
		FOR EACH ROW EXECUTE FUNCTION sync_worker_refuse_tombstoned_file_id()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`DROP TRIGGER IF EXISTS file_refuse_tombstoned_id ON "file"`.execute(db)
	await sql`DROP TRIGGER IF EXISTS file_tombstone_on_id_change ON "file"`.execute(db)
	await sql`DROP TRIGGER IF EXISTS file_tombstone_on_delete ON "file"`.execute(db)
	await sql`DROP FUNCTION IF EXISTS sync_worker_refuse_tombstoned_file_id()`.execute(db)
	await sql`DROP FUNCTION IF EXISTS sync_worker_tombstone_file()`.execute(db)
	await db.schema.dropTable('file_tombstone').ifExists().execute()
}
