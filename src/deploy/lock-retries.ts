import { MigrationRefusedError } from './errors.js';

/**
 * GitLab's with_lock_retries for a migration run: each attempt waits at most `lockTimeoutMs` for a
 * table lock (so the app's queries never queue behind a migration stuck behind a long transaction),
 * gives everything back, sleeps, and tries again with a longer timeout.
 */
export interface LockRetryOptions {
  /** lock_timeout of the first attempt, in milliseconds. */
  lockTimeoutMs: number;
  /** How many attempts in all before giving up. */
  attempts: number;
  /** Pause before the first retry, in milliseconds; doubled after each. */
  backoffMs: number;
}

export const defaultLockRetries: LockRetryOptions = { lockTimeoutMs: 500, attempts: 8, backoffMs: 250 };

/** The longest lock_timeout an attempt uses, however many retries: a deploy never stalls the app longer. */
export const maxLockTimeoutMs = 5000;

export interface LockRetry {
  /** The attempt that timed out (1-based). */
  attempt: number;
  attempts: number;
  lockTimeoutMs: number;
  /** How long the run sleeps before the next attempt. */
  backoffMs: number;
  /** The server's message (which statement waited on what). */
  reason: string;
}

/** SQLSTATE lock_not_available: lock_timeout expired (or NOWAIT). */
export const lockNotAvailable = '55P03';

export class LockRetriesExhaustedError extends MigrationRefusedError {
  override name = 'LockRetriesExhaustedError';
}

export async function withLockRetries<T>(
  options: LockRetryOptions,
  onRetry: (retry: LockRetry) => void | Promise<void>,
  attempt: (lockTimeoutMs: number) => Promise<T>,
): Promise<T> {
  let backoffMs = options.backoffMs;
  for (let number = 1; ; number++) {
    const lockTimeoutMs = Math.min(options.lockTimeoutMs * 2 ** (number - 1), maxLockTimeoutMs);
    try {
      return await attempt(lockTimeoutMs);
    } catch (error) {
      if (sqlStateOf(error) !== lockNotAvailable) throw error;
      const reason = messageOf(error);
      if (number >= options.attempts) {
        throw new LockRetriesExhaustedError(
          `gave up after ${number} attempts, each waiting at most ${lockTimeoutMs} ms for a lock (${reason}); nothing was applied by the last attempt. ` +
            "A long transaction holds a lock a migration needs: find it with `select pid, state, xact_start, query from pg_stat_activity where state <> 'idle' order by xact_start`, let it finish, then run `npm run db:migrate` again.",
          { cause: error },
        );
      }
      await onRetry({ attempt: number, attempts: options.attempts, lockTimeoutMs, backoffMs, reason });
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs *= 2;
    }
  }
}

function sqlStateOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (typeof (e as { code?: unknown }).code === 'string') return (e as Error).message;
    e = (e as { cause?: unknown }).cause;
  }
  return String(error);
}
