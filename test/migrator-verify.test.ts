import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import type { RunResult } from './support/run.js';
import { makeScratchRepo, type ScratchRepo } from './support/scratch-repo.js';
import { createTestDatabase, type TestDatabase, withOpenDatabase } from './support/test-database.js';

// db:migrate verifies the history before it applies anything (Flyway's validate-on-migrate). Each
// test breaks a scratch copy of the repository the way a merge or an edit would, and runs db:migrate
// on that copy's drizzle/ against a fresh database: in process, and once as the compiled bin.

let database: TestDatabase;
let repo: ScratchRepo;

// Some tests below start several command processes, and each opens the database (a PGlite folder
// takes seconds to open on a loaded machine): a budget for that work, not a wait on a race.
const processBudgetMs = 300_000;

beforeEach(async () => {
  database = await createTestDatabase('migrator_verify');
  repo = makeScratchRepo();
});

afterEach(async () => {
  repo.remove();
  await database.drop();
});

function script(name: string, args: string[] = []): Promise<RunResult> {
  return repo.runCommand(name.replace(/\.ts$/, '').replace('-', ':'), args, database.env);
}

async function query<Row extends Record<string, unknown>>(text: string): Promise<Row[]> {
  return withOpenDatabase(database, (db) => queryRows<Row>(db, sql.raw(text)));
}

const historyCount = async () =>
  Number((await query<{ n: string }>('select count(*) as n from drizzle.__drizzle_migrations'))[0]?.n);
const tableExists = async (name: string) =>
  (await query<{ present: boolean }>(`select to_regclass('public.${name}') is not null as present`))[0]
    ?.present;

/** Appends a migration to the journal, `when` after the last one unless given. */
function addMigration(tag: string, body: string, options: { when?: number; position?: number } = {}): void {
  const journal = repo.journal();
  const last = journal.entries.at(-1);
  if (!last) throw new Error('empty journal');
  const entry = { idx: 0, version: '7', when: options.when ?? last.when + 1000, tag, breakpoints: true };
  journal.entries.splice(options.position ?? journal.entries.length, 0, entry);
  journal.entries.forEach((e, i) => {
    e.idx = i;
  });
  repo.writeJournal(journal);
  repo.write(`drizzle/${tag}.sql`, body);
}

describe('db:migrate verifies before it applies', () => {
  it(
    'an applied migration edited since stops the run (exit 1, nothing applied); --accept-drift records the edit, and later runs pass',
    async () => {
      expect((await script('db-migrate.ts')).code).toBe(0);
      const applied = await historyCount();
      const trigger = repo.journal().entries[2]?.tag ?? '';
      repo.write(
        `drizzle/${trigger}.sql`,
        `${repo.read(`drizzle/${trigger}.sql`)}\n-- edited after deploy\n`,
      );
      addMigration('0099_probe', 'CREATE TABLE "verify_probe" ("id" integer);');

      const refused = await script('db-migrate.ts');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`drizzle/${trigger}.sql: edited after it was applied`);
      expect(refused.stderr).toContain('--accept-drift');
      expect(await historyCount()).toBe(applied);
      expect(await tableExists('verify_probe')).toBe(false);

      const accepted = await script('db-migrate.ts', [
        '--accept-drift',
        'comment-only edit, reviewed in #123',
      ]);
      expect(accepted.stderr).toBe('');
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain(
        `Accepted (recorded): drizzle/${trigger}.sql: edited after it was applied`,
      );
      expect(accepted.stdout).toContain('Applied: 0099_probe');
      expect(await tableExists('verify_probe')).toBe(true);
      expect(
        await query('select kind, reason, accepted_by from drizzle.conversations_db_accepted_drift'),
      ).toEqual([{ kind: 'edited', reason: 'comment-only edit, reviewed in #123', accepted_by: 'postgres' }]);

      const again = await script('db-migrate.ts');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('Nothing to apply.');
      const check = await repo.dbCheck(['--only', 'applied-hashes'], database.env);
      expect(check.stdout + check.stderr).toContain('db:check: clean');
      expect(check.code).toBe(0);
    },
    processBudgetMs,
  );

  it(
    'a migration merged with an older when than the last applied one stops the run; --accept-drift applies it and records it',
    async () => {
      expect((await script('db-migrate.ts')).code).toBe(0);
      const entries = repo.journal().entries;
      const [beforeLast, last] = entries.slice(-2);
      if (!beforeLast || !last) throw new Error('short journal');
      const when = Math.floor((beforeLast.when + last.when) / 2);
      addMigration('0005_late_branch', 'CREATE TABLE "late_probe" ("id" integer);', {
        when,
        position: entries.length - 1,
      });

      const refused = await script('db-migrate.ts');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `drizzle/0005_late_branch.sql: never applied, and its when (${when}) is older than the last applied migration (${last.when})`,
      );
      expect(await tableExists('late_probe')).toBe(false);

      const accepted = await script('db-migrate.ts', [
        '--accept-drift',
        'late branch, independent of the drop',
      ]);
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain('Applied: 0005_late_branch');
      expect(await tableExists('late_probe')).toBe(true);
      expect(await query('select kind from drizzle.conversations_db_accepted_drift')).toEqual([
        { kind: 'out-of-order' },
      ]);
      expect((await script('db-status.ts')).code).toBe(0);
    },
    processBudgetMs,
  );

  it('a migration file the journal does not name stops the run, and no override passes it (the compiled bin, which finds drizzle/ beside its dist/)', async () => {
    repo.write('drizzle/0099_stray.sql', 'CREATE TABLE "stray" ("id" integer);');
    for (const args of [[], ['--accept-drift', 'try anyway']]) {
      // A real process here, once: the other tests run the same run() in process on the copy's folder.
      const result = await repo.runBin('db:migrate', args, database.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('drizzle/0099_stray.sql: this migration is not in the journal');
      expect(result.stderr).not.toContain('--accept-drift "<reason>"');
    }
    // The refused run's transaction took even drizzle's bookkeeping table with it.
    expect(await query("select to_regclass('drizzle.__drizzle_migrations') is null as absent")).toEqual([
      { absent: true },
    ]);
    expect(await tableExists('users')).toBe(false);
  });

  it('a journal entry whose file is missing stops the run before anything is read from the database', async () => {
    const tag = repo.journal().entries[3]?.tag ?? '';
    rmSync(join(repo.dir, `drizzle/${tag}.sql`));
    const result = await script('db-migrate.ts');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^db:migrate: The journal and the migration files disagree \(.+\)\. Restore the missing file from git/,
    );
    expect(await tableExists('users')).toBe(false);
  });

  it('refuses an empty --accept-drift reason before touching the database', async () => {
    const result = await script('db-migrate.ts', ['--accept-drift', ' ']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--accept-drift needs a reason');
    expect(await query("select to_regclass('drizzle.__drizzle_migrations') is null as absent")).toEqual([
      { absent: true },
    ]);
  });
});
