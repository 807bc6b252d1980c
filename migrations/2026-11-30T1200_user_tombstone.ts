import { sql, type Kysely } from 'kysely'

// Frozen in time. DELETE /app/me retires the user's id when its purge starts: from then on the id may
// never get a `user` row again, so the purged user's still-valid session token opens nothing (no room,
// no user socket, no file) and brings back neither the account nor its name and email. A trigger, so no
// code path (an upsert on sign-in, plain SQL) can forget it; BEFORE INSERT triggers fire for
// INSERT … ON CONFLICT too, so an upsert is refused while the row still exists (during the purge).
// SQLSTATE SWU01 lets the app tell this refusal apart from any other error (src/db/userTombstones.ts).
// One script without parameters: pg sends it as a simple query, which may hold several statements.
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		CREATE TABLE user_tombstone (id text PRIMARY KEY, "removedAt" timestamptz NOT NULL DEFAULT now());
		CREATE FUNCTION sync_worker_refuse_tombstoned_user_id() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM FROM user_tombstone WHERE id = NEW.id;
			IF FOUND THEN RAISE EXCEPTION 'user % was deleted and cannot come back', NEW.id USING ERRCODE = 'SWU01'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER user_refuse_tombstoned_id BEFORE INSERT OR UPDATE OF id ON "user"
			FOR EACH ROW EXECUTE FUNCTION sync_worker_refuse_tombstoned_user_id();`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
		DROP TRIGGER IF EXISTS user_refuse_tombstoned_id ON "user";
		DROP FUNCTION IF EXISTS sync_worker_refuse_tombstoned_user_id();
		DROP TABLE IF EXISTS user_tombstone;`.execute(db)
}
