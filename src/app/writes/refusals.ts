import { postgresErrorOf } from '../errors/postgres-error.js';
import { WriteNotPermittedError, WriteTargetNotFoundError } from '../errors/write-errors.js';

/** What a write helper says when the database refuses it: one sentence each, with the next step. */
export interface RefusalWords {
  /** For SQLSTATE 42501 (no grant, or a row-level security policy). */
  notPermitted: string;
  /** For SQLSTATE 23503 (a referenced move, user or conversation does not exist). */
  missingReference?: string;
}

/**
 * The database's refusals of a write, as the package's typed errors (the original is the cause);
 * anything else unchanged. PostgreSQL's own words follow the helper's, so the policy or constraint
 * that refused stays visible.
 */
export function translateWriteError(error: unknown, words: RefusalWords): unknown {
  const pg = postgresErrorOf(error);
  if (pg?.code === '42501') {
    return new WriteNotPermittedError(`${words.notPermitted} (PostgreSQL: ${pg.message})`, { cause: error });
  }
  if (pg?.code === '23503' && words.missingReference) {
    const detail = pg.detail ? `: ${pg.detail}` : '';
    return new WriteTargetNotFoundError(`${words.missingReference}${detail}`, { cause: error });
  }
  return error;
}
