import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRow } from '../src/app/database.js';
import { readableError } from '../src/app/errors/index.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import {
  insertLegacyDataset,
  moveLegacyChats,
  rollbackLegacyMove,
} from '../src/operator/legacy-move/index.js';
import { expectCouldNotRun } from './support/hostile-use.js';
import { checksums } from './support/legacy-rows.js';
import { runInProcess } from './support/run.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
  withOpenDatabase,
} from './support/test-database.js';

// Flags as an operator types them, run in process: every bad flag is refused (exit 2, one line)
// before the first write, with the rows unchanged.

let database: TestDatabase;
let dir: string;

/** In PGlite mode a handle held across a command that opens the same folder reads a stale copy. */
const withDatabase = <T>(body: (db: Database) => Promise<T>) => withOpenDatabase(database, body);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdb-flags-'));
  database = await createTestDatabase('command_flags');
  await withDatabase(async (db) => {
    await migrateDatabase(db, { to: expandStepTag() });
    await insertLegacyDataset(db, { sessions: 12, messagesPerSession: 2, seed: 11 });
  });
});

afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bad flags are refused before the first write', () => {
  const existing = () => {
    const path = join(dir, 'existing.json');
    writeFileSync(path, 'keep me\n');
    return path;
  };
  const cases: [string, () => string[], string][] = [
    ['--report naming a folder', () => ['--report', dir], 'is a folder'],
    ['--report in a missing folder', () => ['--report', join(dir, 'missing', 'r.json')], 'does not exist'],
    ['--report under a file', () => ['--report', join(existing(), 'r.json')], 'is not a folder'],
    ['--report naming an existing file', () => ['--report', existing()], '--overwrite'],
    ['--overwrite without --report', () => ['--overwrite'], '--overwrite is only used with --report'],
    ['--batch-size beyond an integer', () => ['--batch-size', '2147483648'], 'at most 2147483647'],
    ['--lock-timeout beyond an integer', () => ['--lock-timeout', '99999999999'], 'at most 2147483647'],
    ['--max-rate 0', () => ['--max-rate', '0'], '--max-rate must be a positive whole number, not "0"'],
    ['--max-rate not a number', () => ['--max-rate', '1k'], '--max-rate must be a positive whole number'],
    ['--pause negative', () => ['--pause=-5'], '--pause must be a whole number of 0 or more, not "-5"'],
    ['--pause a fraction', () => ['--pause', '2.5'], '--pause must be a whole number of 0 or more'],
  ];
  it.each(cases)('chats:migrate with %s', async (_case, args, mentions) => {
    const before = await withDatabase(checksums);
    const result = await runInProcess('chats-migrate.ts', args(), database.env);
    expectCouldNotRun(result, 'chats:migrate', { mentions: [mentions, 'npm run chats:migrate -- --help'] });
    expect(result.stderr).not.toContain('..');
    expect(await withDatabase(checksums)).toEqual(before);
    if (args().includes(join(dir, 'existing.json'))) {
      expect(readFileSync(join(dir, 'existing.json'), 'utf8')).toBe('keep me\n');
    }
  });

  it('chats:validate --limit beyond an integer, chats:rollback --batch-size beyond one', async () => {
    const validate = await runInProcess('chats-validate.ts', ['--limit', '2147483648'], database.env);
    expectCouldNotRun(validate, 'chats:validate', { mentions: ['--limit must be at most 2147483647'] });
    const rollback = await runInProcess('chats-rollback.ts', ['--batch-size', '1e9'], database.env);
    expectCouldNotRun(rollback, 'chats:rollback', { mentions: ['positive whole number'] });
  });

  it('chats:rollback --max-rate / --pause: bad values refused before the first removal; good ones throttle a full rollback', async () => {
    await withDatabase((db) => moveLegacyChats(db));
    try {
      const moved = await withDatabase(checksums);
      const bad: [string[], string][] = [
        [['--max-rate', '0'], '--max-rate must be a positive whole number, not "0"'],
        [['--pause=-5'], '--pause must be a whole number of 0 or more, not "-5"'],
      ];
      for (const [args, mention] of bad) {
        const result = await runInProcess('chats-rollback.ts', args, database.env);
        expectCouldNotRun(result, 'chats:rollback', {
          mentions: [mention, 'npm run chats:rollback -- --help'],
        });
        expect(await withDatabase(checksums)).toEqual(moved);
      }
      const rolled = await runInProcess(
        'chats-rollback.ts',
        ['--max-rate', '100000', '--pause', '1', '--batch-size', '5', '--json'],
        database.env,
      );
      expect({ code: rolled.code, stderr: rolled.stderr }).toEqual({ code: 0, stderr: '' });
      // 11 conversations in batches of 5 (three, then one that finds none left), then the one orphan's
      // archive row (one batch, then one that finds none): six batches, each followed by its pause.
      expect(JSON.parse(rolled.stdout)).toMatchObject({
        conversationsDeleted: 11,
        archiveDeleted: 1,
        batches: 6,
      });
      expect(
        await withDatabase((db) =>
          queryRow<{ n: number }>(db, sql`select count(*)::int as n from legacy_chat_moved_sessions`),
        ),
      ).toEqual({ n: 0 });
    } finally {
      await withDatabase((db) => rollbackLegacyMove(db));
    }
  });

  it('DATABASE_URL set but empty is refused, not taken for the embedded database', async () => {
    const pgliteDir = join(dir, 'must-stay-absent');
    for (const script of ['db-migrate.ts', 'chats-migrate.ts', 'db-check.ts', 'demo.ts']) {
      const result = await runInProcess(script, [], { DATABASE_URL: '', PGLITE_DATA_DIR: pgliteDir });
      expectCouldNotRun(result, script === 'demo.ts' ? 'demo' : script.replace('.ts', '').replace('-', ':'), {
        mentions: ['DATABASE_URL is set but empty', 'unset DATABASE_URL'],
      });
    }
    expect(() => readFileSync(join(pgliteDir, 'PG_VERSION'))).toThrow();
  });

  it('--report --overwrite replaces an existing report after the move', async () => {
    const path = join(dir, 'replaced.json');
    writeFileSync(path, 'old\n');
    try {
      const result = await runInProcess('chats-migrate.ts', ['--report', path, '--overwrite'], database.env);
      expect(result.code).toBe(0);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toHaveProperty('counts');
    } finally {
      await withDatabase((db) => rollbackLegacyMove(db));
    }
  });
});

describe('one error vocabulary', () => {
  it('chats:validate --orphans assign runs without asking for --move-id (validate reads the ledger)', async () => {
    const result = await runInProcess('chats-validate.ts', ['--orphans', 'assign'], database.env);
    // Nothing moved yet: the validation runs and fails (1); it is not a usage error (2).
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Validation FAILED');
    expect(result.stderr).not.toContain('--move-id');
  });

  it('a usage error ends in one full stop before the pointer to --help', async () => {
    const result = await runInProcess('chats-migrate.ts', ['--orphans', 'assign'], database.env);
    expect(result.stderr).toBe(
      'chats:migrate: --orphans=assign needs --move-id <uuid>. Run `npm run chats:migrate -- --help` for usage.\n',
    );
  });

  it("readableError keeps PostgreSQL's detail and hint", () =>
    withDatabase(async (db) => {
      const error = await db
        .execute(
          sql`select 1 from pg_catalog.pg_class where relname = ${'x'} and oid = 'no-such-table'::regclass`,
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(readableError(error).message).toBe('relation "no-such-table" does not exist');
      const unique = await db
        .execute(sql`insert into chat_sessions select * from chat_sessions limit 1`)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(readableError(unique).message).toMatch(
        /^duplicate key value violates unique constraint "\w+" detail: Key \(id\)=\([0-9a-f-]+\) already exists\.$/,
      );
      const hinted = await db.execute(sql`select pg_catalog.no_such_function(1)`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(readableError(hinted).message).toMatch(
        /^function pg_catalog\.no_such_function\(integer\) does not exist hint: No function matches/,
      );
    }));

  it.skipIf(!hasServer)(
    `db:check with a role that does not exist names the role, never "Failed query" ${serverOnlyReason}`,
    async () => {
      const url = new URL(database.url ?? '');
      url.username = `cdb_no_role_${process.pid}`;
      const result = await runInProcess('db-check.ts', ['--only', 'live-schema'], {
        DATABASE_URL: url.toString(),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `live-schema: could not check: cannot open the database: role "cdb_no_role_${process.pid}" does not exist. Check the user in DATABASE_URL, and that the server (pg_hba.conf) admits it.\n`,
      );
    },
  );
});
