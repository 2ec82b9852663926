/**
 * Keeps the move under an operator's write budget on a live primary (WAL, replica lag, I/O): after
 * each batch it sleeps until the rows covered so far are within `maxRate` rows per second of the
 * move's start, and then `pauseMs` more. Sleeping between batches, never inside one, so no lock is
 * held while it waits.
 */
export interface ThrottleOptions {
  /** Legacy rows per second at most, averaged from the start of the run. */
  maxRate?: number | undefined;
  /** Milliseconds to wait after every batch. */
  pauseMs?: number | undefined;
}

/** Refuses values that would not throttle (or never finish), before anything is written. */
export function assertThrottle(options: ThrottleOptions): void {
  const { maxRate, pauseMs } = options;
  if (maxRate !== undefined && !(Number.isFinite(maxRate) && maxRate > 0)) {
    throw new TypeError(`maxRate must be a positive number of rows per second, not ${maxRate}.`);
  }
  if (pauseMs !== undefined && !(Number.isInteger(pauseMs) && pauseMs >= 0)) {
    throw new TypeError(`pauseMs must be a whole number of milliseconds, 0 or more, not ${pauseMs}.`);
  }
}

/** The wait after a batch, in ms, given the rows covered and the ms elapsed since the start. */
export function throttleDelayMs(options: ThrottleOptions, rows: number, elapsedMs: number): number {
  const behind = options.maxRate ? (rows / options.maxRate) * 1000 - elapsedMs : 0;
  return Math.max(0, behind) + (options.pauseMs ?? 0);
}
