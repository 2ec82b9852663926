import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../app/database.js';
import { tablesWithRole } from '../app/schema/tables.js';

/**
 * The app's own tables this package references (foreign keys, the owner inference). A real app has
 * them already, with more columns; adopting its database needs only the columns defined here, with
 * the same types.
 */
export const hostTables = Object.values(tablesWithRole('host'));

/** Columns of the host tables that are missing or have another type than src/app/schema/core.ts. */
export async function hostColumnProblems(db: Queryable): Promise<string[]> {
  const names = hostTables.map((t) => getTableName(t));
  const rows = await queryRows<{ table_name: string; column_name: string; data_type: string }>(
    db,
    // format_type spells types as drizzle's getSQLType does (text, uuid, timestamp with time zone).
    sqlColumns(names),
  );
  const live = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
  const problems: string[] = [];
  for (const table of hostTables) {
    for (const column of Object.values(getTableColumns(table))) {
      const key = `${getTableName(table)}.${column.name}`;
      const type = live.get(key);
      if (type === undefined) problems.push(`${key} is missing`);
      else if (type !== column.getSQLType()) problems.push(`${key} is ${type}, not ${column.getSQLType()}`);
    }
  }
  return problems;
}

function sqlColumns(tables: string[]) {
  return sql`select c.relname as table_name, a.attname as column_name,
                    pg_catalog.format_type(a.atttypid, a.atttypmod) as data_type
             from pg_catalog.pg_attribute a
             join pg_catalog.pg_class c on c.oid = a.attrelid
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace
             where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped
               and c.relname in (${sql.join(
                 tables.map((t) => sql`${t}`),
                 sql`, `,
               )})`;
}
