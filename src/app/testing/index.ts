// The test kit (`@moveline/conversations-db/testing`): a migrated database per test, copied from a
// template database (server) or a snapshot (PGlite) built once, and factories for the rows tests
// need. postgres.js and PGlite are loaded only when used, so an app needs just the one it tests with.
export { Random } from '../seeded-random.js';
export { createConversation, createMessage, createParticipant } from './factories/conversations.js';
export type { FactoryDatabase } from './factories/factory-database.js';
export { createEmployee, createMove, createUser, type MoveWithOwner } from './factories/host.js';
export {
  copyPgliteDataDir,
  createPgliteSnapshot,
  migrateOnPglite,
  openPglite,
  type PgliteDatabase,
  preparePgliteDataDir,
} from './pglite-databases.js';
export type { PrepareDatabase } from './prepare-database.js';
export {
  createServerDatabase,
  createServerTemplate,
  dropServerDatabase,
  migrateOnServer,
  openServerDatabase,
  type ServerDatabase,
  uniqueDatabaseName,
} from './server-databases.js';
export { createTestKit, type TestKit, type TestKitDatabase, type TestKitOptions } from './test-kit.js';
