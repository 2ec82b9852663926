import { describePostgresError, postgresErrorOf } from './postgres-error.js';
import { RefusedError } from './refused-error.js';

/**
 * The error to show a person: PostgreSQL's message, detail and hint rather than drizzle's "Failed
 * query: <the whole SQL>", which buries the reason under a page of SQL. Keeps the SQLSTATE as
 * `code` and the original error as `cause`.
 */
export function readableError(error: unknown): Error {
  if (error instanceof RefusedError) return error;
  const pg = postgresErrorOf(error);
  if (pg && error instanceof Error) {
    const text = describePostgresError(pg);
    if (error.message === text) return error;
    const plain = new Error(text, { cause: error });
    Object.assign(plain, { code: pg.code });
    return plain;
  }
  return error instanceof Error ? error : new Error(String(error));
}
