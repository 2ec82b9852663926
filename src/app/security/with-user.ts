import { type ExtractTablesWithRelations, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { conversationsAppRole, currentUserSetting } from '../schema/app-role.js';

/** The transaction a callback of `db.transaction` receives, for a database of schema TSchema. */
export type Transaction<TSchema extends Record<string, unknown>> = PgTransaction<
  PgQueryResultHKT,
  TSchema,
  ExtractTablesWithRelations<TSchema>
>;

/**
 * Runs `callback` in a transaction as the application role with `userId` as the current user, so
 * row-level security lets it see and post only where that user takes part. Both the role and the
 * user are transaction-local (set_config(..., true), one statement): when the transaction ends, by
 * commit or by error, the pooled connection is back to its own role with no user set, and the next
 * borrower cannot inherit either. The connecting role must be a member of conversations_app.
 * Pass the pooled database, not a transaction: nested, the role would outlive the savepoint.
 */
export async function withUser<TSchema extends Record<string, unknown>, T>(
  db: PgDatabase<PgQueryResultHKT, TSchema>,
  userId: string,
  callback: (tx: Transaction<TSchema>) => Promise<T>,
): Promise<T> {
  if (userId.trim() === '') throw new TypeError('withUser: userId must be a non-empty user id');
  return db.transaction(async (tx) => {
    // One round trip for both: set_config('role', ..., true) is SET LOCAL ROLE, membership checked.
    // Qualified with pg_catalog so no planted public.set_config can take the call.
    await tx.execute(
      sql`select pg_catalog.set_config('role', ${conversationsAppRole.name}, true), pg_catalog.set_config(${currentUserSetting}, ${userId}, true)`,
    );
    return callback(tx);
  });
}
