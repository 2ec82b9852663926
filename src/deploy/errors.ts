import { RefusedError } from '../app/errors/refused-error.js';

/** A schema-change command refused to act: the database is in a state it must not touch. */
export class MigrationRefusedError extends RefusedError {
  override name = 'MigrationRefusedError';
}

/**
 * The history of the database and the migrations folder disagree (an edited applied migration, an
 * out-of-order one, a journal that does not match its files): db:migrate found a problem and
 * applied nothing. Exit 1, not 2: the run worked, what it checked is wrong.
 */
export class MigrationVerificationError extends Error {
  override name = 'MigrationVerificationError';
}
