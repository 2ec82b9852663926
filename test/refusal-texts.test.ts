import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counted } from '../src/app/counted.js';
import { initdbDumpFile, openEmptyPglite } from '../src/app/testing/pglite-initdb.js';
import { withLockRetries } from '../src/deploy/lock-retries.js';
import { openDatabase } from '../src/operator/connect.js';
import { createLegacyTables, insertMessage, insertMove, insertSession } from './support/legacy-rows.js';
import { expectNoSlips, messageSlips } from './support/message-rules.js';
import { repoRoot, runInProcess } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// The classes of slip issue 14 listed, over the commands' refusals and reports: no "..", no
// "1 sessions", and on the embedded PGlite database no DATABASE_URL named as if it were set. The
// hostile-use suites hold every refusal they meet to the same rules (test/support/message-rules.ts).

describe('the rules themselves', () => {
  it.each([
    ['Run `npm run chats:migrate` first..', '".."'],
    ['moved 1 sessions', '"1 sessions"'],
    ['check that DATABASE_URL names the database you meant', 'DATABASE_URL'],
  ])('catch %j', (text, slip) => {
    expect(messageSlips(text, {}).join(' ')).toContain(slip);
  });
  it('let good text through', () => {
    expect(
      messageSlips(
        `${counted(1, 'session')}, ${counted(2, 'session')}, ${counted(1, 'batch', 'batches')}; and 1.5 rows... DATABASE_URL is not set.`,
        {},
      ),
    ).toEqual([]);
  });
});

describe('on the embedded PGlite database (DATABASE_URL unset)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdb-refusal-texts-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DATA_DIR: dir };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // One PGlite folder, walked from empty to an unadopted legacy database: each command opens it (seconds).
  // It starts as an empty database loaded from the kept initdb dump (pglite-initdb.ts), not a bare
  // folder: initdb's seconds buy nothing here (pglite-default.test.ts covers a folder the commands create).
  it('every refusal names the PGlite folder, never an unset DATABASE_URL', async () => {
    await (await openEmptyPglite({ dumpFile: initdbDumpFile(repoRoot), dataDir: dir })).close();
    const refusals: [string, string[], string][] = [
      ['chats-plan.ts', [], `check that the embedded PGlite database at ${dir} is the one you meant`],
      ['chats-rollback.ts', [], `the embedded PGlite database at ${dir}`],
      ['db-baseline.ts', [], 'Cannot baseline an empty database'],
      ['db-migrate.ts', ['--to', 'no_such_tag'], '--to no_such_tag: no such migration'],
    ];
    for (const [script, args, mention] of refusals) {
      const result = await runInProcess(script, args, env);
      expect({ script, code: result.code }).toEqual({ script, code: 2 });
      expect(result.stderr).toContain(mention);
      expectNoSlips(result.stderr, env);
    }
    const handle = await openDatabase({ pgliteDir: dir });
    try {
      await createLegacyTables(handle.db);
    } finally {
      await handle.close();
    }
    for (const script of ['db-migrate.ts', 'chats-migrate.ts']) {
      const result = await runInProcess(script, [], env);
      expect({ script, code: result.code }).toEqual({ script, code: 2 });
      expect(result.stderr).toContain('npm run db:baseline');
      expectNoSlips(result.stderr, env);
    }
  }, 240_000);
});

describe('reports and refusals on a database of this run', () => {
  let database: TestDatabase;
  let employeeId = '';

  beforeAll(async () => {
    database = await createTestDatabase('refusal_texts', { at: 'expanded' });
    const handle = await database.open({ maxConnections: 1 });
    try {
      // One move whose employee matches no user, one session with a blank title, one message.
      const host = await insertMove(handle.db, ' Nobody@Example.com ', []);
      employeeId = host.employeeId;
      const session = await insertSession(handle.db, { moveId: host.moveId, title: ' \t' });
      await insertMessage(handle.db, session);
      await insertSession(handle.db, { moveId: null, title: '' });
    } finally {
      await handle.close();
    }
  });

  afterAll(async () => {
    await database.drop();
  });

  it('chats:plan: the owner problem with the employee email, blank titles flagged, "1 session"', async () => {
    const plan = await runInProcess('chats-plan.ts', [], database.env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`  no user:   move `);
    expect(plan.stdout).toContain(`(employee ${employeeId}, " Nobody@Example.com "), 1 session`);
    expect(plan.stdout).toMatch(/chat_sessions\.title is empty \(''\) or whitespace only +1 +moved as it is/);
    expect(plan.stdout).toContain('Owners of 1 move ');
    expectNoSlips(plan.stdout, database.env);

    const moved = await runInProcess('chats-migrate.ts', [], database.env);
    expect(moved.code).toBe(0);
    expectNoSlips(moved.stdout + moved.stderr, database.env);
    const validated = await runInProcess('chats-validate.ts', [], database.env);
    expect(validated.code).toBe(0);
    expectNoSlips(validated.stdout, database.env);
  });

  it('db:migrate --to an older tag says the database is already past it', async () => {
    // A short tag too: the line names the migration in full.
    const result = await runInProcess('db-migrate.ts', ['--to', '0001'], database.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Nothing to apply: the database is already past 0001_conversations \(it is at \d{4}_\w+\); to go back, run `npm run db:rollback -- --to 0001_conversations`\./,
    );
  });

  it('a lock retry budget of one says "1 attempt"', async () => {
    // lock_timeout's SQLSTATE, as the server reports it; the give-up line counts with counted().
    const timedOut = Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });
    const error = await withLockRetries(
      { lockTimeoutMs: 10, attempts: 1, backoffMs: 1 },
      () => {},
      () => Promise.reject(timedOut),
    ).catch((e: unknown) => e);
    expect(String(error)).toContain('gave up after 1 attempt,');
    expectNoSlips(String(error));
  });
});
