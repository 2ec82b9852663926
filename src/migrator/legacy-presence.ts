import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../database.js';

/** The objects of the BEFORE state (migration 0000), as db:baseline expects to find them. */
export const baselineObjects = {
  tables: ['users', 'employees', 'moves', 'chat_sessions', 'chat_messages'],
  enums: ['message_role'],
} as const;

/** Which of the baseline's tables and enums exist in the public schema. */
export async function findBaselineObjects(tx: Queryable): Promise<{ present: string[]; missing: string[] }> {
  const rows = await queryRows<{ name: string }>(
    tx,
    sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
        union all
        select t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where n.nspname = 'public' and t.typtype = 'e'`,
  );
  const existing = new Set(rows.map((r) => r.name));
  const wanted = [...baselineObjects.tables, ...baselineObjects.enums];
  return {
    present: wanted.filter((name) => existing.has(name)),
    missing: wanted.filter((name) => !existing.has(name)),
  };
}
