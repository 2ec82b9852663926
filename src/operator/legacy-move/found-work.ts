import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRow } from '../../app/database.js';
import { inRange, type KeyRange } from './sql-range.js';

/**
 * Where a re-run's search keeps the keys that hold work (one `id uuid` column, a temporary table of
 * the mover's session): each phase fills its own once, then runs only the batches whose key range
 * holds one of them.
 */
export interface FoundWork {
  /** The table's name in pg_temp. */
  name: string;
}

const tableOf = (work: FoundWork): SQL => sql`pg_temp.${sql.identifier(work.name)}`;

/** Empties the phase's table, fills it with the keys `select` returns (one uuid column), and counts them. */
export async function recordFoundWork(tx: Queryable, work: FoundWork, select: SQL): Promise<number> {
  await tx.execute(
    sql`create temporary table if not exists ${sql.identifier(work.name)} (id uuid primary key)`,
  );
  await tx.execute(sql`truncate ${tableOf(work)}`);
  const row = await queryRow<{ n: number }>(
    tx,
    sql`with found as (insert into ${tableOf(work)} (id) ${select} returning 1) select count(*)::int as n from found`,
  );
  // The batches ask it once per key range: give the planner its real size.
  await tx.execute(sql`analyze ${tableOf(work)}`);
  return row.n;
}

/** Whether the phase's found keys include one of `range`: a batch whose range holds none is skipped. */
export async function holdsKeyIn(tx: Queryable, work: FoundWork, range: KeyRange): Promise<boolean> {
  const row = await queryRow<{ any: boolean }>(
    tx,
    sql`select exists (select 1 from ${tableOf(work)} t where ${inRange(sql`t.id`, range)}) as any`,
  );
  return row.any === true;
}
