import { sql } from 'drizzle-orm';
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
  const rows = options.wait
    ? await queryRows<{ locked: boolean; pid: number }>(
        db,
        sql`select true as locked, pg_backend_pid() as pid from (select pg_advisory_lock(${key})) as l`,
      )
    : await queryRows<{ locked: boolean; pid: number }>(
        db,
        sql`select pg_try_advisory_lock(${key}) as locked, pg_backend_pid() as pid`,
      );
  const row = rows[0];
  if (!row?.locked) {
    throw new LegacyMoveRefusedError(
      'another chats:migrate or chats:rollback is running on this database (it holds the move lock). ' +
        'Wait for it to finish, or pass --wait to queue behind it.',
    );
  }
  const pid = Number(row.pid);
  return {
    pid,
    release: async () => {
      await db.execute(sql`select pg_advisory_unlock(${key})`);
    },
  };
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
