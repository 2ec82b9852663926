// `@moveline/conversations-db/migrator`: the locked migrator, the baseline and the status, for an app
// that deploys this package's migrations from its own code. Every function takes the app's drizzle
// PostgreSQL database (postgres.js, node-postgres, PGlite) and imports nothing but drizzle-orm and
// Node's own modules. An online migration (`-- conversations-db: no-transaction`) needs a database on
// one connection, e.g. drizzle(postgres(url, { max: 1 })).

export { type BaselineResult, baselineLegacyDatabase as baselineDatabase } from './baseline.js';
export { MigrationRefusedError, MigrationVerificationError } from './errors.js';
export {
  defaultLockRetries,
  LockRetriesExhaustedError,
  type LockRetry,
  type LockRetryOptions,
} from './lock-retries.js';
export { type MigrateOptions, type MigrateResult, migrateDatabase } from './migrate.js';
export { defaultMigrationsFolder } from './migration-files.js';
export { onlineMarker } from './online-migration.js';
export {
  type DatabaseStatus,
  type MigrationState,
  type MigrationStatus,
  readDatabaseStatus,
} from './status.js';
export type { StoryPhase, StoryPosition } from './story.js';
export type { HistoryProblem } from './verify.js';
