/**
 * A command refused to act, or could not run: the database or the invocation is in a state it must
 * not touch (wrong migration state, another mover running, a bad DATABASE_URL). Nothing was written.
 * Every command exits 2 ("could not run") on it; the message says what to do next.
 */
export class RefusedError extends Error {
  override name = 'RefusedError';
}
