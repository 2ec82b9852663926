import { sql } from 'drizzle-orm';
import type { Queryable } from '../database.js';

/** The name of the schema-change advisory lock; its key is hashtextextended(name, 0). */
export const schemaChangeLockName = 'conversations-db:schema-changes';

/** The schema-change lock's key, for sessions (tests, operators) that must take or find it. */
export const schemaChangeLockKey = sql`pg_catalog.hashtextextended(${schemaChangeLockName}, 0)`;

/**
 * One key for everything that changes the schema (migrate, baseline, rollback): a deploy that starts
 * while another runs waits for it, then finds nothing left to do. Transaction-scoped, so a crashed
 * deploy can never leave it held.
 */
export async function lockSchemaChanges(tx: Queryable): Promise<void> {
  await tx.execute(sql`select pg_catalog.pg_advisory_xact_lock(${schemaChangeLockKey})`);
}
