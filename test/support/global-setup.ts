import { randomBytes } from 'node:crypto';
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
  | {
      mode: 'server';
      adminUrl: string;
      templates: Templates;
      /** Every database of this run is named `<prefix>_...`; the run's end drops them all. */
      databasePrefix: string;
    }
  | { mode: 'pglite'; reason: string; templates: Templates };

declare module 'vitest' {
  export interface ProvidedContext {
    testServer: TestServer;
    /** A folder that lives as long as the run, shared by every test file (see once-per-run.ts). */
    runScratch: string;
  }
}

/**
 * Picks where the tests' databases live, once per run: the server named by TEST_DATABASE_URL or
 * DATABASE_URL; else a testcontainers PostgreSQL when a Docker engine answers; else PGlite.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runScratch = mkdtempSync(join(tmpdir(), 'cdb-run-'));
  project.provide('runScratch', runScratch);
  const teardown = await chooseServer(project);
  return async () => {
    try {
      await teardown();
    } finally {
      rmSync(runScratch, { recursive: true, force: true });
    }
  };
}

async function chooseServer(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (adminUrl) {
    await assertReachable(adminUrl);
    const server = await prepareServer(adminUrl);
    project.provide('testServer', server.provided);
    console.log(`[tests] PostgreSQL server at ${redactUrl(adminUrl)}; one fresh database per test file.`);
    return server.dropAll;
  }
  const container = await startContainer();
  if (container) {
    const server = await prepareServer(container.url);
    project.provide('testServer', server.provided);
    console.log('[tests] PostgreSQL in a testcontainers container; one fresh database per test file.');
    return async () => {
      await server.dropAll();
      await container.stop();
    };
  }
  const reason = 'no DATABASE_URL or TEST_DATABASE_URL and no Docker engine';
  const templates = await buildPgliteTemplates();
  project.provide('testServer', { mode: 'pglite', reason, templates: templates.dirs });
  console.log(`[tests] PGlite (${reason}); tests that need several connections are skipped.`);
  return templates.remove;
}

/**
 * The run's name prefix and templates; its end drops every database the prefix names. Test files
 * never drop their databases themselves: on PostgreSQL 15 every DROP DATABASE waits for a forced
 * checkpoint of the whole server (seconds each on a busy machine, one after another), while drops
 * sent together share their checkpoints.
 */
async function prepareServer(
  adminUrl: string,
): Promise<{ provided: TestServer; dropAll: () => Promise<void> }> {
  const databasePrefix = `cdb_${Date.now().toString(36).slice(-5)}${randomBytes(2).toString('hex')}`;
  const dropAll = async () => {
    await dropDatabasesNamed(adminUrl, databasePrefix);
    await dropRolesNamed(adminUrl, databasePrefix);
  };
  try {
    const templates = await buildServerTemplates(adminUrl, databasePrefix);
    return { provided: { mode: 'server', adminUrl, templates, databasePrefix }, dropAll };
  } catch (error) {
    await dropAll();
    throw error;
  }
}

/**
 * Drops every database whose name starts with `prefix_`, in waves of concurrent drops: drops that
 * wait for a checkpoint at the same time share one, while drops queued on fewer connections wait
 * for one each.
 */
async function dropDatabasesNamed(adminUrl: string, prefix: string): Promise<void> {
  const wave = 30;
  const sql = postgres(adminUrl, { max: wave, onnotice: () => {} });
  try {
    const names = (
      await sql<{ datname: string }[]>`select datname from pg_database where datname like ${named(prefix)}`
    ).map((row) => row.datname);
    for (let i = 0; i < names.length; i += wave) {
      await Promise.all(
        names.slice(i, i + wave).map((name) => sql`drop database if exists ${sql(name)} with (force)`),
      );
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A LIKE pattern for the names that start with `prefix_` (the prefix holds only [a-z0-9_]; in LIKE, `_`
 * matches any character unless escaped). */
function named(prefix: string): string {
  return `${prefix.replaceAll('_', '\\_')}\\_%`;
}

/**
 * Drops every role whose name starts with `prefix_` (the logins and owners tests create, see
 * runScopedName), after the databases: a role that owns a database, or is granted CONNECT on one,
 * cannot be dropped before it. So a test file leaves its database and its roles to the run's end
 * instead of paying a forced checkpoint for a DROP DATABASE of its own.
 */
async function dropRolesNamed(adminUrl: string, prefix: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const names = (
      await sql<{ rolname: string }[]>`select rolname from pg_roles where rolname like ${named(prefix)}`
    ).map((row) => row.rolname);
    for (const name of names) await sql`drop role if exists ${sql(name)}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** One template database per migration step, built in parallel (each is its own database). */
async function buildServerTemplates(adminUrl: string, prefix: string): Promise<Templates> {
  const built = await Promise.allSettled(
    migrationSteps.map((step) =>
      createServerTemplate(adminUrl, uniqueDatabaseName(`${prefix}_tpl`, step), (db) =>
        migrateToStep(db, step),
      ),
    ),
  );
  const failed = built.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return Object.fromEntries(
    migrationSteps.map((step, i) => [
      step,
      (built[i] as PromiseFulfilledResult<{ name: string }>).value.name,
    ]),
  ) as Templates;
}

/**
 * PGlite runs initdb once (seconds); every other step starts from a copy of the step before it and
 * applies only the migrations in between (PGlite is one process, so the steps are built one after
 * another, and each migration is applied once, not once per step that includes it). Every test file
 * starts from a copy of its step's directory.
 */
async function buildPgliteTemplates(): Promise<{ dirs: Templates; remove: () => Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'cdb-templates-'));
  const dirs = Object.fromEntries(migrationSteps.map((step) => [step, join(root, step)])) as Templates;
  try {
    await preparePgliteDataDir(dirs.empty, async () => {});
    for (const [i, step] of migrationSteps.entries()) {
      const before = migrationSteps[i - 1];
      if (before === undefined) continue;
      copyPgliteDataDir(dirs[before], dirs[step]);
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
