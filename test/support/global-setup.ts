import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { copyPgliteDataDir, preparePgliteDataDir } from '../../src/app/testing/pglite-databases.js';
import { createServerTemplate, uniqueDatabaseName } from '../../src/app/testing/server-databases.js';
import { redactUrl } from '../../src/operator/connection-target.js';
import { type MigrationStep, migrateToStep, migrationSteps } from './migration-step.js';

/**
 * Where every migration step's template lives: a template database on the server, or a closed PGlite
 * data directory. Built once per run, copied for every test file that asks for one.
 */
export type Templates = Record<MigrationStep, string>;

export type TestServer =
  | { mode: 'server'; adminUrl: string; templates: Templates }
  | { mode: 'pglite'; reason: string; templates: Templates };

declare module 'vitest' {
  export interface ProvidedContext {
    testServer: TestServer;
  }
}

/**
 * Picks where the tests' databases live, once per run: the server named by TEST_DATABASE_URL or
 * DATABASE_URL; else a testcontainers PostgreSQL when a Docker engine answers; else PGlite.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (adminUrl) {
    await assertReachable(adminUrl);
    const templates = await buildServerTemplates(adminUrl);
    project.provide('testServer', { mode: 'server', adminUrl, templates: templates.names });
    console.log(`[tests] PostgreSQL server at ${redactUrl(adminUrl)}; one fresh database per test file.`);
    return templates.drop;
  }
  const container = await startContainer();
  if (container) {
    const templates = await buildServerTemplates(container.url);
    project.provide('testServer', { mode: 'server', adminUrl: container.url, templates: templates.names });
    console.log('[tests] PostgreSQL in a testcontainers container; one fresh database per test file.');
    return async () => {
      await templates.drop();
      await container.stop();
    };
  }
  const reason = 'no DATABASE_URL or TEST_DATABASE_URL and no Docker engine';
  const templates = await buildPgliteTemplates();
  project.provide('testServer', { mode: 'pglite', reason, templates: templates.dirs });
  console.log(`[tests] PGlite (${reason}); tests that need several connections are skipped.`);
  return templates.remove;
}

/** One template database per migration step, built in parallel (each is its own database). */
async function buildServerTemplates(
  adminUrl: string,
): Promise<{ names: Templates; drop: () => Promise<void> }> {
  const built = await Promise.allSettled(
    migrationSteps.map((step) =>
      createServerTemplate(adminUrl, uniqueDatabaseName('cdb_tpl', step), (db) => migrateToStep(db, step)),
    ),
  );
  const drop = async () => {
    for (const result of built) if (result.status === 'fulfilled') await result.value.drop();
  };
  const failed = built.find((r) => r.status === 'rejected');
  if (failed) {
    await drop();
    throw failed.reason;
  }
  const names = Object.fromEntries(
    migrationSteps.map((step, i) => [
      step,
      (built[i] as PromiseFulfilledResult<{ name: string }>).value.name,
    ]),
  ) as Templates;
  return { names, drop };
}

/**
 * PGlite runs initdb once (seconds); every other step starts from a copy of that directory, and every
 * test file from a copy of its step's directory.
 */
async function buildPgliteTemplates(): Promise<{ dirs: Templates; remove: () => Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'cdb-templates-'));
  const dirs = Object.fromEntries(migrationSteps.map((step) => [step, join(root, step)])) as Templates;
  try {
    await preparePgliteDataDir(dirs.empty, async () => {});
    for (const step of migrationSteps) {
      if (step === 'empty') continue;
      copyPgliteDataDir(dirs.empty, dirs[step]);
      await preparePgliteDataDir(dirs[step], (db) => migrateToStep(db, step));
    }
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return { dirs, remove: async () => rmSync(root, { recursive: true, force: true }) };
}

async function assertReachable(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(`The test server at ${redactUrl(url)} does not answer: ${(error as Error).message}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function startContainer(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:16-alpine').start();
  return {
    url: container.getConnectionUri(),
    stop: async () => {
      await container.stop();
    },
  };
}
