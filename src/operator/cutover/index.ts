// The cutover from the legacy chat tables to the new ones: the sync (a migration generated from
// ./sync-sql.ts), the go-live marker, the status, and the one equality check shared by the gate and
// the drop's guard. Operators' code: not part of the package's public entry point.

export { type DifferenceKind, differenceKinds } from './differences.js';
export { countDifferences, type DifferenceGroup, findDifferences } from './find-differences.js';
export { type GoLiveResult, goLive } from './go-live.js';
export { type CutoverState, markGoLive, readCutoverState, recordOrphanPolicy } from './state.js';
export { syncTriggers } from './statement-sync-sql.js';
export { type CutoverPhase, type CutoverStatus, readCutoverStatus, type SyncTriggerState } from './status.js';
export { cutoverSyncMigrationSuffix, renderCutoverSyncMigration } from './sync-sql.js';
export { syncingSetting } from './syncing-setting.js';
