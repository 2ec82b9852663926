import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';
import { type ColumnComment, columnComments, commentStatement } from '../../app/schema/column-comments.js';
import type { Finding } from './finding.js';

/**
 * The live database's COMMENT ON documentation against src/app/schema/column-comments.ts, the one source
 * the comments migration is rendered from: a missing, changed or extra-dropped comment is a finding
 * whose fix is the statement that restores it. Tables the database does not have yet (a database
 * behind the chain) are live-schema's finding, not this one's.
 */
export async function checkColumnComments(db: Queryable): Promise<Finding[]> {
  const tables = [...new Set(columnComments.map((c) => c.table))];
  const rows = await queryRows<{ table: string; column: string | null; comment: string | null }>(
    db,
    sql`select c.relname as "table", a.attname as "column", pg_catalog.col_description(c.oid, a.attnum) as comment
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
        join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where c.relname::text in ${tables}
        union all
        select c.relname, null, pg_catalog.obj_description(c.oid, 'pg_class')
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
        where c.relname::text in ${tables}`,
  );
  const present = new Set(rows.map((row) => row.table));
  const live = new Map(rows.map((row) => [`${row.table}.${row.column ?? ''}`, row.comment]));
  const findings: Finding[] = [];
  for (const expected of columnComments) {
    if (!present.has(expected.table)) continue;
    const key = `${expected.table}.${expected.column ?? ''}`;
    if (!live.has(key)) continue; // a missing column is live-schema's finding
    const have = live.get(key) ?? null;
    if (have === expected.comment) continue;
    findings.push({
      check: 'column-comments',
      file: 'database',
      message: `${describe(expected)} ${have === null ? 'has no comment' : `has the comment ${JSON.stringify(have)}`}; src/app/schema/column-comments.ts says ${JSON.stringify(expected.comment)}.`,
      fix: `run: ${commentStatement(expected)} (or, if the database is right, change src/app/schema/column-comments.ts and add a migration that sets it).`,
    });
  }
  return findings;
}

function describe({ table, column }: ColumnComment): string {
  return column === null ? `table ${table}` : `column ${table}.${column}`;
}
