/** The part of a postgres.js query this module uses: execute() queues it on the connection now. */
interface QueueableQuery extends PromiseLike<unknown> {
  execute(): unknown;
}

interface PostgresJsClient {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): QueueableQuery;
}

function isPostgresJsClient(client: unknown): client is PostgresJsClient {
  return typeof (client as { unsafe?: unknown } | null)?.unsafe === 'function';
}

/**
 * Puts `statement` on the transaction's connection now, ahead of anything the caller sends afterwards, and
 * returns its result; undefined when the transaction is not postgres.js (node-postgres and PGlite do not
 * pipeline: the caller awaits the statement instead).
 *
 * Why: withUser's set_config would otherwise cost a round trip of its own before the callback's first
 * statement could leave. postgres.js sends queries on one connection in the order they are queued and
 * does not wait for one result before sending the next (pipelining), and execute() queues at once, so
 * the callback's statements, queued later, always run after it. If it fails, PostgreSQL marks the
 * transaction aborted and every statement after it fails unrun (SQLSTATE 25P02) until the transaction
 * ends; the caller reports this statement's error, not theirs.
 *
 * drizzle does not expose its session's client: this reads the field that drizzle-orm/postgres-js keeps
 * it in (tested in test/with-user-round-trips.test.ts, so a drizzle upgrade that moves it fails there,
 * and withUser falls back to awaiting).
 */
export function queueFirst(
  tx: unknown,
  statement: { sql: string; params: unknown[] },
): Promise<unknown> | undefined {
  const client = (tx as { session?: { client?: unknown } } | null)?.session?.client;
  if (!isPostgresJsClient(client)) return undefined;
  // Prepared (unless the client was created with prepare: false, which wins in postgres.js): unprepared,
  // a statement with parameters costs postgres.js a Parse/Describe round trip before it can be executed.
  const query = client.unsafe(statement.sql, statement.params, { prepare: true });
  if (typeof query.execute !== 'function') return undefined;
  query.execute();
  return Promise.resolve(query);
}
