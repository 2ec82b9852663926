import type { ConversationsDatabase } from '../conversations-schema.js';
import { createPgliteSnapshot, migrateOnPglite, openPglite } from './pglite-databases.js';
import type { PrepareDatabase } from './prepare-database.js';
import {
  createServerDatabase,
  createServerTemplate,
  dropServerDatabase,
  migrateOnServer,
  openServerDatabase,
  uniqueDatabaseName,
} from './server-databases.js';

export interface TestKitOptions {
  /**
   * A PostgreSQL URL whose user may CREATE DATABASE: every test database is a copy of one template
   * database built on that server. Default: embedded PGlite in memory (needs @electric-sql/pglite).
   */
  adminUrl?: string | undefined;
  /**
   * What turns an empty database into the template every test database copies. Default: drizzle's
   * migrate() over the package's migrations, so each database has the whole schema; pass your own
   * to add the app's tables or reference rows once instead of in every test.
   */
  prepare?: PrepareDatabase;
  /** First part of the names of the databases made on a server. Default `cdb_test`. */
  prefix?: string;
}

export interface TestKitDatabase {
  db: ConversationsDatabase;
  /** The database's URL on a server; undefined for PGlite. */
  url: string | undefined;
  /** Closes the connection and throws the database away. */
  close(): Promise<void>;
}

export interface TestKit {
  /** A new database at the kit's step, owned by the caller: call `close()` when done. */
  database(label?: string): Promise<TestKitDatabase>;
  /** Drops the template (server) or forgets the snapshot (PGlite). Databases still open stay usable. */
  dispose(): Promise<void>;
}

/**
 * Prepares migrated databases for tests: the chain runs once (into a server template database or a
 * PGlite snapshot), then every `database()` is a copy of it, taking milliseconds on a server and
 * well under a second in PGlite instead of a migration run each.
 */
export async function createTestKit(options: TestKitOptions = {}): Promise<TestKit> {
  const { adminUrl, prepare } = options;
  return adminUrl === undefined
    ? pgliteKit(prepare ?? migrateOnPglite)
    : serverKit(adminUrl, prepare ?? migrateOnServer, options.prefix ?? 'cdb_test');
}

async function serverKit(adminUrl: string, prepare: PrepareDatabase, prefix: string): Promise<TestKit> {
  const template = await createServerTemplate(adminUrl, uniqueDatabaseName(prefix, 'template'), prepare);
  return {
    async database(label = 'db') {
      const created = await createServerDatabase(adminUrl, uniqueDatabaseName(prefix, label), template.name);
      const opened = await openServerDatabase(created.url);
      return {
        db: opened.db,
        url: created.url,
        close: async () => {
          await opened.close();
          await created.drop();
        },
      };
    },
    dispose: () => dropServerDatabase(adminUrl, template.name),
  };
}

async function pgliteKit(prepare: PrepareDatabase): Promise<TestKit> {
  const snapshot = await createPgliteSnapshot(prepare);
  return {
    async database() {
      const opened = await openPglite({ snapshot });
      return { db: opened.db, url: undefined, close: opened.close };
    },
    dispose: async () => {},
  };
}
