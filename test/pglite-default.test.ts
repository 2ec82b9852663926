import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase } from '../src/operator/connect.js';
import { migratedTables, tablesIn } from './support/catalog.js';
import { repoRoot, run, runDrizzleKit } from './support/run.js';

// With no DATABASE_URL the package works on embedded PGlite, whatever server the other tests use.

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdb-default-'));
  env = { ...process.env, PGLITE_DATA_DIR: join(dir, 'db') };
  delete env.DATABASE_URL;
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function tables(): Promise<string[]> {
  const handle = await openDatabase({ pgliteDir: join(dir, 'db') });
  try {
    return await tablesIn(handle.db);
  } finally {
    await handle.close();
  }
}

it('npx drizzle-kit migrate builds the schema in PGlite', async () => {
  const result = await runDrizzleKit(['migrate'], env);
  expect(result.code).toBe(0);
  expect(await tables()).toEqual(migratedTables);
});

it('npm run db:migrate builds the schema in PGlite', async () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await run(npm, ['run', '--silent', 'db:migrate'], env, repoRoot);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`Database: PGlite at ${join(dir, 'db')}`);
  expect(await tables()).toEqual(migratedTables);
});
