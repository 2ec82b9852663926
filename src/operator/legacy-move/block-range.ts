import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRow } from '../../app/database.js';

/**
 * A half-open range [from, to) of a table's heap blocks; `to` undefined: to the end of the table,
 * including blocks added while the walk ran (the last batch). Read with a TID range scan, a batch
 * reads its blocks once and in order, where a batch of ids reads one random block per row (a table
 * loaded in any other order than its uuids puts every id of a keyset batch on a different block).
 */
export interface BlockRange {
  fromBlock: number;
  toBlock: number | undefined;
}

/** `alias`.ctid within the range: the planner answers it with a TID Range Scan. */
export function inBlocks(alias: string, range: BlockRange): SQL {
  const ctid = sql.raw(`${alias}.ctid`);
  const from = sql`${ctid} >= ${`(${range.fromBlock},0)`}::tid`;
  return range.toBlock === undefined ? from : sql`${from} and ${ctid} < ${`(${range.toBlock},0)`}::tid`;
}

/** The table's size in blocks now. */
export async function tableBlocks(db: Queryable, table: string): Promise<{ blocks: number }> {
  const row = await queryRow<{ blocks: number }>(
    db,
    sql`select (pg_catalog.pg_relation_size(${`public.${table}`}::regclass)
                / pg_catalog.current_setting('block_size')::int)::int as blocks`,
  );
  return { blocks: Number(row.blocks) };
}
