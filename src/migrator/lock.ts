import { sql } from 'drizzle-orm';
import type { Queryable } from '../database.js';

/**
 * One key for everything that changes the schema (migrate, baseline, rollback): a deploy that starts
 * while another runs waits for it, then finds nothing left to do. Transaction-scoped, so a crashed
 * deploy can never leave it held.
 */
export async function lockSchemaChanges(tx: Queryable): Promise<void> {
  await tx.execute(
    sql`select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('conversations-db:schema-changes', 0))`,
  );
}
