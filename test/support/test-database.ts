import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/connect.js';

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

/** A brand-new, empty database owned by one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  return testServer.mode === 'server'
    ? createServerDatabase(testServer.adminUrl, label)
    : createPgliteDatabase(label);
}

async function createServerDatabase(adminUrl: string, label: string): Promise<TestDatabase> {
  const name = `cdb_${label.replace(/\W+/g, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url.toString() };
  delete env.PGLITE_DATA_DIR;
  return {
    url: url.toString(),
    env,
    open: (options) => openDatabase({ url: url.toString(), maxConnections: options?.maxConnections ?? 4 }),
    drop: async () => {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    },
  };
}

function createPgliteDatabase(label: string): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), `cdb-${label}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DATA_DIR: dir };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return {
    url: undefined,
    env,
    open: () => openDatabase({ pgliteDir: dir }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
