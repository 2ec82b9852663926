import { sql } from 'drizzle-orm';
import { counted } from '../../app/counted.js';
import { type Database, type DatabaseTransaction, queryRows } from '../../app/database.js';
import { databaseErrorOf, LegacyMoveRefusedError } from './errors.js';

/** A batch that failed for a reason that left it undone (a lock wait, a conflict) and runs again. */
export interface BatchRetry {
  /** Which batch, e.g. "messages batch 4". */
  batch: string;
  /** The attempt that failed (1 = the first run of the batch). */
  attempt: number;
  /** How many attempts a batch gets before the command gives up. */
  attempts: number;
  /** The SQLSTATE: 55P03 lock timeout, 40001 serialization failure, 40P01 deadlock. */
  code: string;
  /** PostgreSQL's message. */
  reason: string;
  /** How long the mover waits before the next attempt. */
  backoffMs: number;
}

export interface BatchContext {
  db: Database;
  /** The backend holding the mover lock. */
  pid: number;
  lockTimeoutMs: number;
  /** Told of every retry before its backoff (the commands print a line, the result lists them). */
  onRetry?: (retry: BatchRetry) => void;
}

export interface BatchPlanning {
  /**
   * Plan with index probes only (sequential scans, hash and merge joins off). A batch touches a few
   * thousand rows of tables of millions, and the statistics of a table being filled say it is empty:
   * the planner then scans the whole target table for every batch (or once per row), which makes the
   * move quadratic. Every join of the message batch is a primary-key probe.
   */
  indexProbes?: boolean;
  /** Names the batch in retries and in the error when it gives up. */
  label?: string;
  /**
   * READ COMMITTED instead of REPEATABLE READ: each statement sees what committed before it, so a batch
   * that first locks its rows and then reads sees the writes it waited for (the orphan archive).
   */
  readCommitted?: boolean;
}

// lock_not_available (lock_timeout), serialization_failure, deadlock_detected: the batch did nothing,
// so it is safe to run it again.
const retryable = new Set(['55P03', '40001', '40P01']);
export const batchAttempts = 5;
/** Exponential backoff: 250 ms, 500 ms, 1 s, 2 s between the five attempts (with up to 20% jitter). */
const backoffBaseMs = 250;

/**
 * The mover gave up on a batch that kept timing out on a lock. Nothing of that batch was written;
 * earlier batches are kept. Commands exit 2 ("could not run") with the message.
 */
export class BatchLockTimeoutError extends LegacyMoveRefusedError {
  override name = 'BatchLockTimeoutError';
}

/**
 * Runs one batch in its own short REPEATABLE READ transaction (every statement of the batch sees the
 * same legacy rows, so a conversation and its ledger row can never disagree), with a lock_timeout so
 * that the mover yields instead of queueing behind the app; a batch that timed out is retried after
 * a growing pause, each retry reported through ctx.onRetry.
 */
export async function inBatchTransaction<T>(
  ctx: BatchContext,
  body: (tx: DatabaseTransaction) => Promise<T>,
  planning: BatchPlanning = {},
): Promise<T> {
  const joins = planning.indexProbes ? 'off' : 'on';
  const label = planning.label ?? 'a batch';
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction(
        async (tx) => {
          const [row] = await queryRows<{ pid: number }>(
            tx,
            sql`select set_config('lock_timeout', ${`${ctx.lockTimeoutMs}ms`}, true),
                       set_config('enable_hashjoin', ${joins}, true), set_config('enable_mergejoin', ${joins}, true),
                       set_config('enable_seqscan', ${joins}, true),
                       -- The mover's writes are the image of the legacy rows: the sync's reverse
                       -- triggers must not write them back (the sync's marker: src/operator/cutover/sync-sql.ts).
                       conversations_cutover.legacy_chat_sync_mark(),
                       -- No wait for the WAL flush at each batch's commit: a server crash may lose the
                       -- last batches whole (never half of one), and the next run redoes them. A later
                       -- durable commit (the old app's write the sync mirrored) flushes the WAL before it,
                       -- so nothing that depends on a batch can outlive it.
                       set_config('synchronous_commit', 'off', true),
                       pg_backend_pid() as pid`,
          );
          if (Number(row?.pid) !== ctx.pid) {
            // The driver reconnects silently when the server ended the connection between two
            // statements (pg_terminate_backend, a restart): the move lock went with the old backend.
            throw new LegacyMoveRefusedError(
              `the connection holding the move lock was lost (the lock is on backend ${ctx.pid}, this batch came on backend ${row?.pid}): ` +
                'the server ended it, or the database handle has several connections (open it with maxConnections: 1). ' +
                'Nothing of this batch was written. Run the command again.',
            );
          }
          return body(tx);
        },
        { isolationLevel: planning.readCommitted ? 'read committed' : 'repeatable read' },
      );
    } catch (error) {
      const pg = databaseErrorOf(error);
      if (!pg?.code || !retryable.has(pg.code)) throw error;
      if (attempt >= batchAttempts) {
        if (pg.code !== '55P03') throw error;
        throw new BatchLockTimeoutError(
          `${label} gave up after ${counted(batchAttempts, 'attempt')}: each waited ${ctx.lockTimeoutMs} ms (lock_timeout) for a lock ` +
            `${await lockHolders(ctx.db)}. That batch wrote nothing; earlier batches are kept. ` +
            'Run the command again when that session is done, or raise --lock-timeout.',
          { cause: error },
        );
      }
      const backoffMs = Math.round(backoffBaseMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.2));
      ctx.onRetry?.({
        batch: label,
        attempt,
        attempts: batchAttempts,
        code: pg.code,
        reason: pg.message,
        backoffMs,
      });
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
}

/**
 * Who holds a table lock that blocks the mover's writes, in words: the table, the mode and the
 * backend, so the operator can find the session (pg_stat_activity) and wait for it or end it.
 */
async function lockHolders(db: Database): Promise<string> {
  try {
    const rows = await queryRows<{ relation: string; mode: string; pid: number }>(
      db,
      sql`select c.relname as relation, l.mode, l.pid from pg_locks l
          join pg_class c on c.oid = l.relation
          join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
          where l.granted and l.pid <> pg_backend_pid()
            and l.database = (select oid from pg_database where datname = current_database())
            and l.mode in ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
          order by c.relname, l.pid`,
    );
    if (rows.length === 0) return 'held by another session (a row lock, or one released since)';
    return `held by ${rows.map((r) => `backend ${r.pid} (${r.mode} on ${r.relation})`).join(', ')}`;
  } catch {
    return 'held by another session';
  }
}
