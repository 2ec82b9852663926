import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../src/app/database.js';

/** The backend of a one-connection handle. */
export async function backendPid(db: Queryable): Promise<number> {
  const [row] = await queryRows<{ pid: number }>(db, sql`select pg_backend_pid() as pid`);
  if (!row) throw new Error('backendPid: no answer');
  return row.pid;
}

/**
 * Whether backend `waiter` waits for a lock that backend `holder` holds or waits for ahead of it
 * (pg_blocking_pids). Not "waits for any lock": the mover's CREATE INDEX CONCURRENTLY waits a moment for
 * every transaction in the database that holds a snapshot, this poll's own query included, and on a
 * loaded machine a poll that took that for the wait it was after committed the old app's write early
 * (cutover-sync failed at load 17: the mover was not at the statement the test expected).
 */
export async function waitsFor(db: Queryable, waiter: number, holder: number): Promise<boolean> {
  const [row] = await queryRows<{ waits: boolean }>(
    db,
    sql`select ${holder}::int = any(pg_blocking_pids(${waiter}::int)) as waits`,
  );
  return row?.waits === true;
}
