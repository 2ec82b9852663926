import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../src/app/database.js';

export interface ColumnFact {
  column: string;
  type: string;
  nullable: boolean;
  default: string | null;
}

/** Columns of a public table as information_schema reports them (user-defined types by name). */
export async function columnsOf(db: Queryable, table: string): Promise<ColumnFact[]> {
  const rows = await queryRows<{
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    db,
    sql`select column_name, data_type, udt_name, is_nullable, column_default
        from information_schema.columns where table_schema = 'public' and table_name = ${table}
        order by ordinal_position`,
  );
  return rows.map((r) => ({
    column: r.column_name,
    type: r.data_type === 'USER-DEFINED' ? r.udt_name : r.data_type,
    nullable: r.is_nullable === 'YES',
    default: r.column_default,
  }));
}

export async function enumLabels(db: Queryable, name: string): Promise<string[]> {
  const rows = await queryRows<{ label: string }>(
    db,
    sql`select e.enumlabel as label from pg_enum e join pg_type t on t.oid = e.enumtypid
        join pg_namespace n on n.oid = t.typnamespace
        where n.nspname = 'public' and t.typname = ${name} order by e.enumsortorder`,
  );
  return rows.map((r) => r.label);
}

export interface ForeignKeyFact {
  table: string;
  columns: string;
  references: string;
  onDelete: string;
}

const deleteActions: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

export async function foreignKeysOf(db: Queryable, table: string): Promise<ForeignKeyFact[]> {
  const rows = await queryRows<{ columns: string; references: string; confdeltype: string }>(
    db,
    sql`select (select string_agg(a.attname, ',' order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as columns,
               c.confrelid::regclass::text || '(' ||
               (select string_agg(a.attname, ',' order by k.ord) from unnest(c.confkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) || ')' as references,
               c.confdeltype::text as confdeltype
        from pg_constraint c where c.contype = 'f' and c.conrelid = ${`public.${table}`}::regclass
        order by 1`,
  );
  return rows.map((r) => ({
    table,
    columns: r.columns,
    references: r.references,
    onDelete: deleteActions[r.confdeltype] ?? r.confdeltype,
  }));
}

/** Index name -> its definition as PostgreSQL prints it (pg_indexes.indexdef). */
export async function indexesOf(db: Queryable, table: string): Promise<Record<string, string>> {
  const rows = await queryRows<{ indexname: string; indexdef: string }>(
    db,
    sql`select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = ${table}`,
  );
  return Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
}

export async function tablesIn(db: Queryable, schema = 'public'): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select table_name as name from information_schema.tables
        where table_schema = ${schema} and table_type = 'BASE TABLE' order by 1`,
  );
  return rows.map((r) => r.name);
}

/**
 * The tables of public once every migration has run: the new tables, the move's ledger and archive,
 * and the host app's (the legacy ones are dropped). Sorted, as tablesIn returns them.
 */
export const migratedTables = [
  'chat_session_archive',
  'conversation_participants',
  'conversations',
  'employees',
  'legacy_chat_cutover',
  'legacy_chat_moved_messages',
  'legacy_chat_moved_sessions',
  'messages',
  'moves',
  'users',
];
