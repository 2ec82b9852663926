import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../src/app/database.js';
import { planTimeMs, type SentQuery } from '../../src/app/queries/index.js';

/** A parameter as a SQL literal of unknown type, which EXECUTE coerces to the prepared parameter's type. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text =
    value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.replaceAll("'", "''")}'`;
}

/** EXECUTE of the prepared statement `name` with `query`'s parameters as literals. */
function execute(name: string, query: SentQuery): string {
  return `EXECUTE ${name}${query.params.length === 0 ? '' : `(${query.params.map(literal).join(', ')})`}`;
}

/**
 * The server's own time for one execution of `query` as a prepared statement: Planning Time +
 * Execution Time of EXPLAIN (ANALYZE, TIMING OFF) EXECUTE, in ms. The statement is PREPAREd under
 * `name` on this connection the first time, so from then on PostgreSQL's plan cache decides (after five
 * custom plans, the cached generic plan when it costs no more), as it does for the named prepared
 * statements the package's query functions send (src/app/prepared.ts): planning the policies, which an
 * unprepared statement pays every time, is left out once the plan is cached, as it is for the app.
 */
export async function preparedServerStatementMs(
  db: Queryable,
  name: string,
  query: SentQuery,
): Promise<number> {
  const [prepared] = await queryRows<{ n: number }>(
    db,
    sql`select 1 as n from pg_catalog.pg_prepared_statements where name = ${name}`,
  );
  if (!prepared) await db.execute(sql.raw(`PREPARE ${name} AS ${query.sql}`));
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql.raw(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${execute(name, query)}`),
  );
  const value = Object.values(row ?? {})[0];
  return planTimeMs(typeof value === 'string' ? JSON.parse(value) : value);
}

/**
 * The plan PostgreSQL runs for the prepared statement `name` (PREPAREd by preparedServerStatementMs on this
 * connection), as text with actual rows and loops: EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, SUMMARY OFF)
 * EXECUTE. Kept beside the bench's figures so a row that moved between two runs can be read plan to plan.
 */
export async function preparedPlanText(db: Queryable, name: string, query: SentQuery): Promise<string> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql.raw(`EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, SUMMARY OFF) ${execute(name, query)}`),
  );
  return rows.map((row) => String(Object.values(row)[0] ?? '')).join('\n');
}
