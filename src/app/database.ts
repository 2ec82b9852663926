import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index.js';
import type { Transaction } from './security/with-user.js';

/**
 * Any drizzle PostgreSQL database: postgres.js against a server, or embedded PGlite. Library code
 * takes this, so one implementation serves both.
 */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open transaction of a Database (what its `transaction` callback receives). */
export type DatabaseTransaction = Transaction<typeof schema>;

/** A database or an open transaction on it: both run queries the same way. */
export type Queryable = Pick<Database, 'execute'>;

/**
 * Runs raw SQL and returns its rows. postgres.js answers with an array, PGlite with `{ rows }`;
 * callers should not have to care which.
 */
export async function queryRows<Row extends Record<string, unknown>>(
  db: Queryable,
  query: SQL,
): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}

/**
 * The one row of a query that always returns exactly one (an aggregate such as `count(*)` with no
 * GROUP BY, or a `select` of subqueries): no `row?.n ?? 0` at every caller, and a query that
 * somehow returned nothing fails loudly instead of reading as zero.
 */
export async function queryRow<Row extends Record<string, unknown>>(db: Queryable, query: SQL): Promise<Row> {
  const rows = await queryRows<Row>(db, query);
  const [row] = rows;
  if (!row || rows.length > 1) throw new Error(`queryRow: expected exactly one row, got ${rows.length}.`);
  return row;
}
