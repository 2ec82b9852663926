import { type PostgresError, postgresErrorOf } from '../../app/errors/postgres-error.js';
import { MigrationRefusedError } from '../../deploy/errors.js';

export { readableError } from '../../app/errors/readable-error.js';

/**
 * The legacy chat move refused to act: the database is in a state it must not touch (tables missing,
 * another mover running, a --move-id that names no move). Commands exit 2 ("could not run") on it.
 */
export class LegacyMoveRefusedError extends MigrationRefusedError {
  override name = 'LegacyMoveRefusedError';
}

/** PostgreSQL's own error under drizzle's wrapper. Kept for library callers; see postgresErrorOf. */
export function databaseErrorOf(error: unknown): PostgresError | undefined {
  return postgresErrorOf(error);
}
