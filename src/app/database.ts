import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index.js';

/**
 * Any drizzle PostgreSQL database: postgres.js against a server, or embedded PGlite. Library code
 * takes this, so one implementation serves both.
 */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

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
