import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { copyPgliteDataDir } from '../../src/app/testing/pglite-databases.js';
import { createServerDatabase, uniqueDatabaseName } from '../../src/app/testing/server-databases.js';
import { type DatabaseHandle, openDatabase } from '../../src/operator/connect.js';
import type { MigrationStep } from './migration-step.js';

export const testServer = inject('testServer');

/** True when tests run against a real server; PGlite is one connection in one process. */
export const hasServer = testServer.mode === 'server';
export const serverOnlyReason =
  testServer.mode === 'pglite'
    ? `needs several connections to one database; PGlite mode (${testServer.reason})`
    : '';

export interface TestDatabase {
  /** The database's URL in server mode. */
  url: string | undefined;
  /** The environment a child process needs to use this database (and no other). */
  env: NodeJS.ProcessEnv;
  /** Opens a connection; in PGlite mode close it before a child process opens the same folder. */
  open(options?: { maxConnections?: number }): Promise<DatabaseHandle>;
  /**
   * Done with it. PGlite: removes its folder. Server: nothing now; the run's end drops every database
   * it made, together (one DROP DATABASE at a time would each wait for a forced checkpoint), and then
   * the roles named by runScopedName (a role granted CONNECT on a database outlives it).
   */
  drop(): Promise<void>;
}

/**
 * A unique name for a database or role a test makes on the server itself (CREATE ROLE, CREATE DATABASE
 * ... OWNER), named with the run's prefix: the run's end drops such databases with the others, then
 * such roles. A test never drops them itself: on PostgreSQL 15 a DROP DATABASE of its own waits for a
 * forced checkpoint (seconds on a busy server), and its roles cannot go before its databases.
 */
export function runScopedName(label: string): string {
  return uniqueDatabaseName(testServer.mode === 'server' ? testServer.databasePrefix : 'cdb', label);
}

export interface CreateTestDatabaseOptions {
  /**
   * Where in the migration chain the database starts, copied from the run's template for that step
   * (built once in global-setup). Default `empty`: nothing applied, for tests of the migrations.
   */
  at?: MigrationStep;
}

/** A brand-new database owned by one test file (or one test), at the step it asks for. */
export async function createTestDatabase(
  label: string,
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  const at = options.at ?? 'empty';
  return testServer.mode === 'server'
    ? createServerTestDatabase(label, testServer.templates[at])
    : createPgliteTestDatabase(label, testServer.templates[at]);
}

/**
 * A server database named for this run (dropped when the run ends), copied from `template`: one of
 * the run's step templates, or any database of the test's own with nobody connected to it.
 */
export async function createServerTestDatabase(label: string, template: string): Promise<TestDatabase> {
  if (testServer.mode !== 'server') throw new Error(`createServerTestDatabase: ${serverOnlyReason}`);
  const created = await createServerDatabase(
    testServer.adminUrl,
    uniqueDatabaseName(testServer.databasePrefix, label),
    template,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: created.url };
  delete env.PGLITE_DATA_DIR;
  return {
    url: created.url,
    env,
    open: (options) => openDatabase({ url: created.url, maxConnections: options?.maxConnections ?? 4 }),
    drop: async () => {},
  };
}

function createPgliteTestDatabase(label: string, template: string): TestDatabase {
  const root = mkdtempSync(join(tmpdir(), `cdb-${label}-`));
  const dir = join(root, 'data');
  copyPgliteDataDir(template, dir);
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DATA_DIR: dir };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return {
    url: undefined,
    env,
    open: () => openDatabase({ pgliteDir: dir }),
    drop: async () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Runs body on a connection opened for it alone and closed after, so nothing holds the database open
 * while a command runs in process (in PGlite mode a handle held across such a command reads a stale copy).
 */
export async function withOpenDatabase<T>(
  database: TestDatabase,
  body: (db: DatabaseHandle['db']) => Promise<T>,
): Promise<T> {
  const handle = await database.open({ maxConnections: 1 });
  try {
    return await body(handle.db);
  } finally {
    await handle.close();
  }
}
