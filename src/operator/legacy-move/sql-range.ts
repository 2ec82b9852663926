import { type SQL, sql } from 'drizzle-orm';

/**
 * A half-open keyset range (after, upTo] over uuid keys. `after` undefined: from the start;
 * `upTo` undefined: to the end (the last batch, which must also see rows past the last legacy id,
 * for instance moved copies whose legacy row was deleted).
 */
export interface KeyRange {
  after: string | undefined;
  upTo: string | undefined;
}

export function inRange(column: SQL, range: KeyRange): SQL {
  const parts: SQL[] = [];
  if (range.after !== undefined) parts.push(sql`${column} > ${range.after}::uuid`);
  if (range.upTo !== undefined) parts.push(sql`${column} <= ${range.upTo}::uuid`);
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}
