import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openDatabase } from '../src/operator/connect.js';
import { migratedTables, tablesIn } from './support/catalog.js';
import { repoRoot, run, runDrizzleKit } from './support/run.js';

// With no DATABASE_URL the package works on embedded PGlite, whatever server the other tests use.

/** A new folder for one test, and the environment that names it (DATABASE_URL unset). */
function pgliteFolder(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'cdb-default-'));
  dirs.push(dir);
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DATA_DIR: join(dir, 'db') };
  delete env.DATABASE_URL;
  return { dir, env };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function tables(dir: string): Promise<string[]> {
  const handle = await openDatabase({ pgliteDir: join(dir, 'db') });
  try {
    return await tablesIn(handle.db);
  } finally {
    await handle.close();
  }
}

// Concurrent: each runs a child process on a folder of its own; together they can use the core the
// other test file leaves idle while it waits for the server.
describe.concurrent('a new PGlite folder', () => {
  it('npx drizzle-kit migrate builds the schema in PGlite', async ({ expect }) => {
    const { dir, env } = pgliteFolder();
    const result = await runDrizzleKit(['migrate'], env);
    expect(result.code).toBe(0);
    expect(await tables(dir)).toEqual(migratedTables);
  });

  it('npm run db:migrate builds the schema in PGlite', async ({ expect }) => {
    const { dir, env } = pgliteFolder();
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = await run(npm, ['run', '--silent', 'db:migrate'], env, repoRoot);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Database: PGlite at ${join(dir, 'db')}`);
    expect(await tables(dir)).toEqual(migratedTables);
  });
});
