import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../database.js';
import { databaseErrorOf, LegacyMoveRefusedError } from './errors.js';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface BatchContext {
  db: Database;
  /** The backend holding the mover lock. */
  pid: number;
  lockTimeoutMs: number;
}

export interface BatchPlanning {
  /**
   * Plan with index probes only (sequential scans, hash and merge joins off). A batch touches a few
   * thousand rows of tables of millions, and the statistics of a table being filled say it is empty:
   * the planner then scans the whole target table for every batch (or once per row), which makes the
   * move quadratic. Every join of the message batch is a primary-key probe.
   */
  indexProbes?: boolean;
}

// lock_not_available (lock_timeout), serialization_failure, deadlock_detected: the batch did nothing,
// so it is safe to run it again.
const retryable = new Set(['55P03', '40001', '40P01']);
const attempts = 5;

/**
 * Runs one batch in its own short REPEATABLE READ transaction (every statement of the batch sees the
 * same legacy rows, so a conversation and its ledger row can never disagree), with a lock_timeout so
 * that the mover yields instead of queueing behind the app; a batch that timed out is retried.
 */
export async function inBatchTransaction<T>(
  ctx: BatchContext,
  body: (tx: Transaction) => Promise<T>,
  planning: BatchPlanning = {},
): Promise<T> {
  const joins = planning.indexProbes ? 'off' : 'on';
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction(
        async (tx) => {
          const [row] = await queryRows<{ pid: number }>(
            tx,
            sql`select set_config('lock_timeout', ${`${ctx.lockTimeoutMs}ms`}, true),
                       set_config('enable_hashjoin', ${joins}, true), set_config('enable_mergejoin', ${joins}, true),
                       set_config('enable_seqscan', ${joins}, true),
                       pg_backend_pid() as pid`,
          );
          if (Number(row?.pid) !== ctx.pid) {
            throw new LegacyMoveRefusedError(
              'the move must run on a single connection (it holds a session-level lock); open the database with maxConnections: 1.',
            );
          }
          return body(tx);
        },
        { isolationLevel: 'repeatable read' },
      );
    } catch (error) {
      const code = databaseErrorOf(error)?.code;
      if (!code || !retryable.has(code) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
