// The test kit (`@moveline/conversations-db/testing`): migrated databases per test, copied from a
// template (server) or a snapshot (PGlite), and factories for the rows tests need. postgres.js and
// PGlite are loaded only when used, so an app needs just the one it tests with.

export { Random } from '../seeded-random.js';
export * from './factories/conversations.js';
export * from './factories/host.js';
export * from './factories/legacy.js';
export { type MigrationStep, migrateToStep, migrationSteps, migrationStepTag } from './migration-step.js';
export * from './pglite-databases.js';
export * from './server-databases.js';
export * from './test-kit.js';
