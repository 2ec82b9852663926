import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../app/database.js';
import { isLostConnection, postgresErrorOf } from '../../app/errors/postgres-error.js';
import { LegacyMoveRefusedError } from './errors.js';
import { moverLockName } from './mapping.js';

/** The move lock's key, for sessions (tests, operators) that must take or find it. */
export const moverLockKey = sql`pg_catalog.hashtextextended(${moverLockName}, 0)`;
const key = moverLockKey;

export interface MoverLock {
  /** The backend that holds the lock; every batch checks it still runs on it. */
  pid: number;
  release(): Promise<void>;
}

/**
 * One mover (or rollback) at a time per database: a session-level advisory lock, so it lasts across
 * the batches' own transactions and vanishes with the connection if the process dies. The database
 * handle must be one connection (the commands open exactly one; PGlite is one anyway).
 */
export async function acquireMoverLock(db: Queryable, options: { wait?: boolean } = {}): Promise<MoverLock> {
  const lock = options.wait
    ? await lockOf(
        db,
        sql`select true as locked, pg_backend_pid() as pid from (select pg_advisory_lock(${key})) as l`,
      )
    : await tryMoverLock(db);
  if (!lock) {
    throw new LegacyMoveRefusedError(
      'another chats:migrate or chats:rollback is running on this database (it holds the move lock). ' +
        'Wait for it to finish, or pass --wait to queue behind it.',
    );
  }
  return lock;
}

/**
 * The move lock if no mover holds it now, else undefined (never waits): for the commands that do a
 * mover's chores only when no mover is running (db:migrate building indexes a killed run left missing).
 */
export async function tryMoverLock(db: Queryable): Promise<MoverLock | undefined> {
  return lockOf(db, sql`select pg_try_advisory_lock(${key}) as locked, pg_backend_pid() as pid`);
}

async function lockOf(db: Queryable, query: SQL): Promise<MoverLock | undefined> {
  const [row] = await queryRows<{ locked: boolean; pid: number }>(db, query);
  if (!row?.locked) return undefined;
  return {
    pid: Number(row.pid),
    release: async () => {
      await db.execute(sql`select pg_advisory_unlock(${key})`);
    },
  };
}

/**
 * The backend holding the move lock in this database, or undefined: read from pg_locks, taking
 * nothing, for a check that must not write (db:check). An advisory lock on a bigint key shows its
 * high 32 bits as classid and its low 32 bits as objid, with objsubid 1.
 */
export async function moverLockHolder(db: Queryable): Promise<number | undefined> {
  const [row] = await queryRows<{ pid: number }>(
    db,
    sql`select l.pid from pg_catalog.pg_locks l
        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
          and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
          and ((l.classid::bigint operator(pg_catalog.<<) 32) operator(pg_catalog.|) l.objid::bigint) = ${key}
        limit 1`,
  );
  return row ? Number(row.pid) : undefined;
}

/**
 * A lost connection anywhere in a run that holds the move lock (a keyset query, a count, a batch),
 * told in the lock's words: the lock went with the connection, whichever statement noticed first.
 * undefined when `error` is something else.
 */
export function moveLockLost(error: unknown, lockPid: number): LegacyMoveRefusedError | undefined {
  if (!isLostConnection(error)) return undefined;
  const code = postgresErrorOf(error)?.code ?? 'socket closed';
  return new LegacyMoveRefusedError(
    `the connection holding the move lock was lost (backend ${lockPid}, ${code}): the server ended it. ` +
      'Nothing of the interrupted batch was written; earlier batches are kept. Run the command again.',
    { cause: error },
  );
}
