import { type ExtractTablesWithRelations, sql } from 'drizzle-orm';
import { type PgDatabase, PgDialect, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';
import { WithUserStatementError } from '../errors/security-errors.js';
import { conversationsAppRole, currentUserSetting } from '../schema/app-role.js';
import { pipelinedTransaction } from './pipelined-transaction.js';
import { queueFirst } from './queue-first.js';

/** Renders withUser's statement for postgres.js (plain SQL: no table names, so no casing applies). */
const dialect = new PgDialect();

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
  const setUser = setUserStatement('withUser', userId);
  // On a postgres.js pool: BEGIN, this statement and the callback's first one in one round trip.
  const pipelined = pipelinedTransaction(db, dialect.sqlToQuery(setUser), callback);
  if (pipelined) return pipelined;
  return inDrizzleTransaction(db, setUser, callback);
}

/**
 * withUser for a callback that sends one statement (a query, or one write helper such as `postMessage`),
 * in one round trip instead of two: on a postgres.js pool, COMMIT is sent right behind that statement,
 * so BEGIN, the user's settings, the statement and COMMIT reach the server together, as an autocommit
 * statement of the connecting role would. The statement is committed as it runs: a callback that throws
 * after its statement succeeded does not undo it (withUser would). A second statement is refused before
 * it is sent (it would run outside the transaction, as the connecting role) and the call rejects with
 * WithUserStatementError, the first statement having been committed. On node-postgres and PGlite it is
 * withUser itself (two round trips; nothing is committed before the callback returns).
 */
export async function withUserStatement<TSchema extends Record<string, unknown>, T>(
  db: PgDatabase<PgQueryResultHKT, TSchema>,
  userId: string,
  callback: (tx: Transaction<TSchema>) => Promise<T>,
): Promise<T> {
  const setUser = setUserStatement('withUserStatement', userId);
  const pipelined = pipelinedTransaction(db, dialect.sqlToQuery(setUser), callback, {
    commitBehindFirstStatement: { refusal: (statement) => new WithUserStatementError(statement) },
  });
  if (pipelined) return pipelined;
  return inDrizzleTransaction(db, setUser, callback);
}

/**
 * The statement that makes a transaction the user's. One statement for both: set_config('role', ...,
 * true) is SET LOCAL ROLE, membership checked. Qualified with pg_catalog so no planted
 * public.set_config can take the call.
 */
function setUserStatement(caller: string, userId: string) {
  if (userId.trim() === '') throw new TypeError(`${caller}: userId must be a non-empty user id`);
  return sql`select pg_catalog.set_config('role', ${conversationsAppRole.name}, true), pg_catalog.set_config(${currentUserSetting}, ${userId}, true)`;
}

/** withUser on `db.transaction`: node-postgres, PGlite, or a drizzle without the pipelined path. */
function inDrizzleTransaction<TSchema extends Record<string, unknown>, T>(
  db: PgDatabase<PgQueryResultHKT, TSchema>,
  setUser: ReturnType<typeof setUserStatement>,
  callback: (tx: Transaction<TSchema>) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    // On postgres.js the statement is queued ahead of the callback's and not awaited first: it costs
    // no round trip of its own (see queueFirst). On the other drivers it is awaited first.
    const queued = queueFirst(tx, dialect.sqlToQuery(setUser));
    if (!queued) {
      await tx.execute(setUser);
      return callback(tx);
    }
    // Both settle before the transaction ends. Should the statement fail, the transaction is aborted
    // and stays open until the callback is done, so a callback that catches its errors and goes on
    // still runs nothing (each statement fails with 25P02); ended early, the transaction would hand
    // the connection back and a late statement would run outside it, as the connecting role.
    const [set, result] = await Promise.allSettled([queued, (async () => callback(tx))()]);
    if (set.status === 'rejected') throw set.reason;
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}
