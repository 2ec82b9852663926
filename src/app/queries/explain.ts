import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../database.js';

export interface SentQuery {
  sql: string;
  params: unknown[];
}

export interface ExplainOptions {
  /** Run the query (EXPLAIN ANALYZE) and count buffers; default false: the plan alone. */
  analyze?: boolean;
  /**
   * With analyze: time every plan node (default true). false keeps the total Planning and Execution
   * Time but skips the per-node clock reads, which on a count over 50,000 index entries cost more
   * than the count: the way to time a statement on the server.
   */
  timing?: boolean;
  format?: 'text' | 'json';
}

/**
 * EXPLAIN of exactly the text and parameters drizzle sends (`builder.toSQL()`), run through the same
 * driver. drizzle wraps an embedded query in parentheses, which EXPLAIN rejects, so the text is
 * rebuilt chunk by chunk with each $n bound to its original parameter.
 */
export async function explainQuery(
  db: Queryable,
  query: SentQuery,
  options: ExplainOptions & { format: 'json' },
): Promise<unknown>;
export async function explainQuery(
  db: Queryable,
  query: SentQuery,
  options?: ExplainOptions & { format?: 'text' },
): Promise<string>;
export async function explainQuery(
  db: Queryable,
  query: SentQuery,
  options: ExplainOptions = {},
): Promise<unknown> {
  const flags = [
    options.analyze ? 'ANALYZE, BUFFERS' : '',
    options.analyze && options.timing === false ? 'TIMING OFF' : '',
    `FORMAT ${options.format === 'json' ? 'JSON' : 'TEXT'}`,
  ]
    .filter(Boolean)
    .join(', ');
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`EXPLAIN (${sql.raw(flags)}) ${bindSent(query)}`,
  );
  if (options.format === 'json') {
    const value = Object.values(rows[0] ?? {})[0];
    return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  }
  return rows.map((row) => String(Object.values(row)[0])).join('\n');
}

function bindSent(query: SentQuery): SQL {
  const parts = query.sql.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (const [i, part] of parts.entries()) {
    if (i % 2 === 0) chunks.push(sql.raw(part));
    else chunks.push(sql`${query.params[Number(part) - 1]}`);
  }
  return sql.join(chunks);
}

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/** Every node of an EXPLAIN (FORMAT JSON) plan, depth first. */
export function planNodes(plan: unknown): PlanNode[] {
  const root = (Array.isArray(plan) ? plan[0] : plan) as { Plan: PlanNode };
  const out: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    out.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(root.Plan);
  return out;
}

/**
 * The server's own time in an EXPLAIN (ANALYZE, FORMAT JSON) plan: Planning Time + Execution Time, in ms.
 * Without the network, the driver and the client's event loop, which on a loaded machine move a
 * sub-millisecond statement's client time by more than the statement itself (bench/lib/prepared-server-time.ts
 * times the prepared statements with it).
 */
export function planTimeMs(plan: unknown): number {
  const root = (Array.isArray(plan) ? plan[0] : plan) as
    | { 'Planning Time'?: number; 'Execution Time'?: number }
    | undefined;
  return (root?.['Planning Time'] ?? 0) + (root?.['Execution Time'] ?? 0);
}
