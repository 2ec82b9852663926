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
  /** Drops the database (or its folder). */
  drop(): Promise<void>;
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
    ? createServerTestDatabase(testServer.adminUrl, label, testServer.templates[at])
    : createPgliteTestDatabase(label, testServer.templates[at]);
}

async function createServerTestDatabase(
  adminUrl: string,
  label: string,
  template: string,
): Promise<TestDatabase> {
  const created = await createServerDatabase(adminUrl, uniqueDatabaseName('cdb', label), template);
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: created.url };
  delete env.PGLITE_DATA_DIR;
  return {
    url: created.url,
    env,
    open: (options) => openDatabase({ url: created.url, maxConnections: options?.maxConnections ?? 4 }),
    drop: created.drop,
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
