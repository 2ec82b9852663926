// The test kit (`@moveline/conversations-db/testing`): a migrated database per test, copied from a
// template database (server) or a snapshot (PGlite) built once, and factories for the rows tests
// need. postgres.js and PGlite are loaded only when used, so an app needs just the one it tests with.
export { Random } from '../seeded-random.js';
export * from './factories/conversations.js';
export * from './factories/host.js';
export * from './pglite-databases.js';
export type { PrepareDatabase } from './prepare-database.js';
export * from './server-databases.js';
export * from './test-kit.js';
