// The package's error vocabulary: one home for each kind of failure, imported by the library and
// the commands alike.

export {
  connectionFailureCodes,
  describePostgresError,
  isDriverWriteAfterClose,
  isLostConnection,
  lostConnectionCodes,
  type PostgresError,
  postgresErrorOf,
} from './postgres-error.js';
export { readableError } from './readable-error.js';
export { RefusedError } from './refused-error.js';
export { WithUserStatementError } from './security-errors.js';
export { InvalidInputError, WriteNotPermittedError, WriteTargetNotFoundError } from './write-errors.js';
export { checkTheDatabase } from './wrong-database.js';
