// The public API of the legacy chat move. Every function takes a drizzle Database (postgres.js or
// PGlite), never exits, and throws LegacyMoveRefusedError when the database is in a state it must
// not touch. The mover and the rollback need a single-connection handle (they hold a session lock).

export { BatchLockTimeoutError, type BatchRetry, batchAttempts } from './batch-transaction.js';
export { insertLegacyDataset, type LegacyDatasetOptions, type LegacyDatasetSummary } from './demo-dataset.js';
export { databaseErrorOf, LegacyMoveRefusedError, readableError } from './errors.js';
export {
  nullContentReplacement,
  nullTitleReplacement,
  orphanArchiveReason,
  roleToAuthorType,
} from './mapping.js';
export {
  type MoveBatch,
  type MoveCounts,
  type MoveOptions,
  type MovePhase,
  type MoveProgress,
  type MoveResult,
  moveLegacyChats,
} from './move.js';
export type { NotMovedMessage, NotMovedReason, NotMovedSession } from './not-moved.js';
export {
  defaultBatchSize,
  defaultLockTimeoutMs,
  type OrphanOptions,
  type OrphanPolicy,
  orphanPolicies,
} from './options.js';
export { type LegacyValueNote, type MovePlan, type OwnerProblem, planLegacyMove } from './plan.js';
export { moveTablesPresence } from './preconditions.js';
export { buildMoveReport, type MoveReport } from './report.js';
export { type RollbackOptions, type RollbackResult, rollbackLegacyMove } from './rollback.js';
export {
  type ValidateOptions,
  type ValidationCheck,
  type ValidationResult,
  type ValidationTotals,
  validateLegacyMove,
} from './validate.js';
