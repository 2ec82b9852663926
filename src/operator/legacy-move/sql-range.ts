import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRow } from '../../app/database.js';

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

/**
 * Whether a table of found work (a re-run's search: one `id uuid` column) holds a key of `range`:
 * a batch whose range holds none is skipped.
 */
export async function holdsKeyIn(tx: Queryable, foundWork: SQL, range: KeyRange): Promise<boolean> {
  const row = await queryRow<{ any: boolean }>(
    tx,
    sql`select exists (select 1 from ${foundWork} t where ${inRange(sql`t.id`, range)}) as any`,
  );
  return row.any === true;
}
