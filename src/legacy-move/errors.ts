import { MigrationRefusedError } from '../migrator/errors.js';

/**
 * The legacy chat move refused to act: the database is in a state it must not touch (tables missing,
 * another mover running, a --move-id that names no move). Commands exit 2 ("could not run") on it.
 */
export class LegacyMoveRefusedError extends MigrationRefusedError {
  override name = 'LegacyMoveRefusedError';
}

/** PostgreSQL's own error under drizzle's wrapper (DrizzleQueryError keeps it as `cause`). */
export function databaseErrorOf(error: unknown): { code?: string; message: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && typeof candidate.message === 'string') {
      return { code: candidate.code, message: candidate.message };
    }
    current = candidate.cause;
  }
  return undefined;
}

/**
 * The error to show a person: PostgreSQL's message rather than drizzle's "Failed query: <the whole
 * SQL>", which buries the reason under a page of SQL.
 */
export function readableError(error: unknown): Error {
  if (error instanceof MigrationRefusedError) return error;
  const pg = databaseErrorOf(error);
  if (pg && error instanceof Error && error.message !== pg.message) {
    const plain = new Error(pg.message, { cause: error });
    Object.assign(plain, { code: pg.code });
    return plain;
  }
  return error instanceof Error ? error : new Error(String(error));
}
