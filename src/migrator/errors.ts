import { RefusedError } from '../errors/refused-error.js';

/** A schema-change command refused to act: the database is in a state it must not touch. */
export class MigrationRefusedError extends RefusedError {
  override name = 'MigrationRefusedError';
}
