import type { Db } from './createDb'
import { ApiError, ErrorCode } from '../http/errors'

/** The SQLSTATE of migrations/2026-11-30T1200_user_tombstone.ts's refusal. */
const ACCOUNT_DELETED_SQLSTATE = 'SWU01'

/**
 * The caller's account was deleted (DELETE /app/me): their token still verifies, but it opens nothing.
 * A 401 over HTTP; socket routes close with NOT_AUTHENTICATED (src/routes/routeSteps.ts).
 */
export class AccountDeletedError extends ApiError {
	constructor() {
		super(401, ErrorCode.NOT_AUTHENTICATED, 'this account was deleted', { 'WWW-Authenticate': 'Bearer' })
	}
}

/** Retires `userId` for good (idempotent): no `user` row may be created for it again. */
export async function retireUserId(db: Db, userId: string): Promise<void> {
	await db.insertInto('user_tombstone').values({ id: userId }).onConflict((oc) => oc.column('id').doNothing()).execute()
}

/** Maps the tombstone trigger's refusal to AccountDeletedError; any other error is rethrown as it is. */
export function rethrowAccountDeleted(err: unknown): never {
	if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === ACCOUNT_DELETED_SQLSTATE) throw new AccountDeletedError()
	throw err
}
