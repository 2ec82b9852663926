import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';
import { type DifferenceKind, differenceKindNames } from './differences.js';

export interface DifferenceGroup {
  kind: DifferenceKind;
  count: number;
  /** The ids (legacy ids, which are also the new ids), sorted, at most `idLimit`. */
  ids: string[];
}

/**
 * Where the legacy and the new tables differ under the mapping, grouped by kind (every kind, zero
 * included): conversations_cutover.legacy_chat_differences(), the same function the drop's guard calls.
 */
export async function findDifferences(
  db: Queryable,
  keepOrphans: boolean,
  idLimit: number,
): Promise<DifferenceGroup[]> {
  const rows = await queryRows<{ problem: DifferenceKind; n: number; ids: string[] }>(
    db,
    sql`select d.problem, pg_catalog.count(*)::int as n, (pg_catalog.array_agg(d.id::text order by d.id))[1:${idLimit}] as ids
        from conversations_cutover.legacy_chat_differences(${keepOrphans}::boolean) d group by d.problem`,
  );
  const found = new Map(rows.map((r) => [r.problem, r]));
  return differenceKindNames.map((kind) => ({
    kind,
    count: found.get(kind)?.n ?? 0,
    ids: found.get(kind)?.ids ?? [],
  }));
}

/** How many rows differ (the number the drop's guard refuses on, with keepOrphans false). */
export async function countDifferences(db: Queryable, keepOrphans: boolean): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select pg_catalog.count(*)::int as n from conversations_cutover.legacy_chat_differences(${keepOrphans}::boolean)`,
  );
  return row?.n ?? 0;
}
