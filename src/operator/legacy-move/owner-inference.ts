import { type SQL, sql } from 'drizzle-orm';
import { inferredOwnersSql } from './mapping.js';

const placeholder = '\u0000filter\u0000';
const [head = '', tail = ''] = inferredOwnersSql(placeholder).split(placeholder);

/**
 * The employee owner of each move (mapping.ts inferredOwnersSql) as drizzle SQL, for a drizzle
 * filter on moves aliased m. Columns: move_id, employee_id, matches, user_id, exact.
 */
export function inferredOwners(moveFilter: SQL = sql`true`): SQL {
  return sql`${sql.raw(head)}${moveFilter}${sql.raw(tail)}`;
}
