import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { redactUrl } from '../../src/connection-target.js';

export type TestServer = { mode: 'server'; adminUrl: string } | { mode: 'pglite'; reason: string };

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
    project.provide('testServer', { mode: 'server', adminUrl });
    console.log(`[tests] PostgreSQL server at ${redactUrl(adminUrl)}; one fresh database per test file.`);
    return async () => {};
  }
  const container = await startContainer();
  if (container) {
    project.provide('testServer', { mode: 'server', adminUrl: container.url });
    console.log('[tests] PostgreSQL in a testcontainers container; one fresh database per test file.');
    return container.stop;
  }
  const reason = 'no DATABASE_URL or TEST_DATABASE_URL and no Docker engine';
  project.provide('testServer', { mode: 'pglite', reason });
  console.log(`[tests] PGlite (${reason}); tests that need several connections are skipped.`);
  return async () => {};
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
