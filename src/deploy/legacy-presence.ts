import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import { tableNamesWithRole } from '../app/schema/tables.js';

const hostTables = tableNamesWithRole('host');
const legacyTables = ['chat_sessions', 'chat_messages'];

/**
 * The objects of the BEFORE state (migration 0000), as db:baseline expects to find them. The host
 * tables belong to the app (every real one already has them, usually with more columns); the legacy
 * chat tables and their enum belong to the old chat feature.
 */
export const baselineObjects = {
  hostTables,
  legacyTables,
  tables: [...hostTables, ...legacyTables],
  enums: ['message_role'],
};

/** Which of the baseline's tables and enums exist in the public schema. */
export async function findBaselineObjects(tx: Queryable): Promise<{ present: string[]; missing: string[] }> {
  const rows = await queryRows<{ name: string }>(
    tx,
    sql`select c.relname as name from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
        union all
        select t.typname from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
        where n.nspname = 'public' and t.typtype = 'e'`,
  );
  const existing = new Set(rows.map((r) => r.name));
  const wanted = [...baselineObjects.tables, ...baselineObjects.enums];
  return {
    present: wanted.filter((name) => existing.has(name)),
    missing: wanted.filter((name) => !existing.has(name)),
  };
}
