import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';

/**
 * The upper key of the next batch: the `size`-th key after `after` in `from` (a table with an `id`
 * column, optionally filtered). undefined when fewer than `size` keys remain: that batch is the last
 * and runs to the end. Reads one row, so memory stays flat however large the table.
 */
export async function nextUpperBound(
  db: Queryable,
  from: SQL,
  after: string | undefined,
  size: number,
  filter: SQL = sql`true`,
): Promise<string | undefined> {
  const afterClause = after === undefined ? sql`true` : sql`t.id > ${after}::uuid`;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select t.id::text as id from ${from} t where ${afterClause} and ${filter}
        order by t.id offset ${size - 1} limit 1`,
  );
  return rows[0]?.id;
}
