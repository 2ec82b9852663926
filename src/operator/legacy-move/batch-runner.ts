import type { Database, DatabaseTransaction } from '../../app/database.js';
import {
  type BatchContext,
  type BatchPlanning,
  type BatchRetry,
  inBatchTransaction,
} from './batch-transaction.js';
import type { MoverLock } from './mover-lock.js';
import { defaultLockTimeoutMs } from './options.js';
import { type ThrottleOptions, throttleDelayMs } from './throttle.js';

export interface BatchRunnerOptions extends ThrottleOptions {
  /** lock_timeout of every batch transaction, in ms; a batch that times out is retried. Default 5000. */
  lockTimeoutMs?: number | undefined;
  /** Told of every retry before its backoff. */
  onRetry?: ((retry: BatchRetry) => void) | undefined;
}

/**
 * The batches of one run under the move lock, chats:migrate's and chats:rollback's alike: each in its
 * own short transaction on the lock's backend, retried on a lock timeout or a conflict
 * (inBatchTransaction), numbered in one sequence for labels and hooks, with the run's retries collected
 * and its throttle applied between batches (never inside one, so no lock is held while it waits).
 */
export interface BatchRunner {
  readonly context: BatchContext;
  /** Batches counted so far (afterBatch). */
  readonly batches: number;
  /** Every retry of the run, in order. */
  readonly retries: readonly BatchRetry[];
  /** One batch of the run, labelled `${name} ${n}` (n: the next batch's number) in retries and errors. */
  batch<T>(
    name: string,
    body: (tx: DatabaseTransaction) => Promise<T>,
    planning?: Omit<BatchPlanning, 'label'>,
  ): Promise<T>;
  /** A step of the run that is not one of its batches (a search, a pruning): the same rules, never counted. */
  step<T>(
    label: string,
    body: (tx: DatabaseTransaction) => Promise<T>,
    planning?: Omit<BatchPlanning, 'label'>,
  ): Promise<T>;
  /**
   * Counts a committed batch that covered `rows` legacy rows (the throttle's measure), tells `report`
   * its number, then sleeps as long as the throttle says.
   */
  afterBatch(rows: number, report?: (index: number) => void | Promise<void>): Promise<void>;
}

export function batchRunner(db: Database, lock: MoverLock, options: BatchRunnerOptions = {}): BatchRunner {
  const started = performance.now();
  const retries: BatchRetry[] = [];
  let batches = 0;
  let covered = 0;
  const context: BatchContext = {
    db,
    pid: lock.pid,
    lockTimeoutMs: options.lockTimeoutMs ?? defaultLockTimeoutMs,
    onRetry: (retry) => {
      retries.push(retry);
      options.onRetry?.(retry);
    },
  };
  return {
    context,
    get batches() {
      return batches;
    },
    retries,
    batch: (name, body, planning = {}) =>
      inBatchTransaction(context, body, { ...planning, label: `${name} ${batches + 1}` }),
    step: (label, body, planning = {}) => inBatchTransaction(context, body, { ...planning, label }),
    afterBatch: async (rows, report) => {
      batches++;
      await report?.(batches);
      covered += rows;
      const wait = throttleDelayMs(options, covered, performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
