import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { LockRetriesExhaustedError, type LockRetry, maxLockTimeoutMs } from '../src/deploy/lock-retries.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { onlineGuard, onlineMarker } from '../src/deploy/online-migration.js';
import { rollbackDatabase } from '../src/deploy/rollback.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { type RunResult, runDrizzleKit } from './support/run.js';
import { makeScratchRepo, type ScratchRepo } from './support/scratch-repo.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

// Lock retries and online (no-transaction) migrations, on a scratch copy of the repository whose
// chain gets extra migrations. Every wait here is on a condition another session controls (a lock it
// holds, a snapshot it keeps open), never on a clock.

let database: TestDatabase;
let repo: ScratchRepo;
let handle: DatabaseHandle;
let admin: postgres.Sql;

beforeEach(async () => {
  database = await createTestDatabase('migrator_online');
  repo = makeScratchRepo();
  handle = await database.open({ maxConnections: 1 });
  if (database.url) admin = postgres(database.url, { max: 4, onnotice: () => {} });
});

afterEach(async () => {
  await handle.close();
  await admin?.end();
  repo.remove();
  await database.drop();
});

const folder = () => join(repo.dir, 'drizzle');

function addMigration(tag: string, body: string): void {
  const journal = repo.journal();
  const last = journal.entries.at(-1);
  if (!last) throw new Error('empty journal');
  journal.entries.push({
    idx: journal.entries.length,
    version: '7',
    when: last.when + 1000,
    tag,
    breakpoints: true,
  });
  repo.writeJournal(journal);
  repo.write(`drizzle/${tag}.sql`, body);
}

const onlineIndex = (statement: string) =>
  `${onlineMarker}\n${onlineGuard}--> statement-breakpoint\n${statement}\n`;

async function rows<Row extends Record<string, unknown>>(text: string): Promise<Row[]> {
  return queryRows<Row>(handle.db, sql.raw(text));
}

function script(name: string, args: string[]): Promise<RunResult> {
  return repo.runCommand(name.replace(/\.ts$/, '').replace('-', ':'), args, database.env);
}

/** Another session holding a lock on `table` until release() (commit). */
async function holdLock(table: string, mode: string) {
  const session = await admin.reserve();
  await session`begin`;
  await session.unsafe(`lock table "${table}" in ${mode} mode`);
  return {
    release: async () => {
      await session`commit`;
      session.release();
    },
  };
}

describe.skipIf(!hasServer)(`lock retries (${serverOnlyReason || 'server'})`, () => {
  it('a migration that times out behind a long transaction is rolled back, reported, and retried until it applies', async () => {
    await migrateDatabase(handle.db, { migrationsFolder: folder() });
    addMigration('0099_messages_probe', 'ALTER TABLE "messages" ADD COLUMN "probe" text;');
    const holder = await holdLock('messages', 'access share');
    const retries: LockRetry[] = [];
    const result = await migrateDatabase(handle.db, {
      migrationsFolder: folder(),
      lockRetries: { lockTimeoutMs: 50, attempts: 5, backoffMs: 1 },
      onLockRetry: async (retry) => {
        retries.push(retry);
        // The long transaction ends only after the migrator has given up once.
        if (retries.length === 1) await holder.release();
      },
    });
    expect(result.applied).toEqual(['0099_messages_probe']);
    expect(result.lockRetries).toBe(1);
    expect(retries[0]).toMatchObject({ attempt: 1, attempts: 5, lockTimeoutMs: 50 });
    expect(retries[0]?.reason).toContain('lock timeout');
    expect(
      await rows(
        "select column_name from information_schema.columns where table_name = 'messages' and column_name = 'probe'",
      ),
    ).toHaveLength(1);
  });

  it('db:migrate gives up after its last attempt, each retry a line on stderr, exit 2, nothing applied', async () => {
    await migrateDatabase(handle.db, { migrationsFolder: folder() });
    addMigration('0099_messages_probe', 'ALTER TABLE "messages" ADD COLUMN "probe" text;');
    const holder = await holdLock('messages', 'access share');
    try {
      const result = await script('db-migrate.ts', ['--lock-timeout', '50', '--lock-retries', '2']);
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        /^db:migrate: attempt 1 of 2 waited 50 ms for a lock and was rolled back \(canceling statement due to lock timeout\); retrying in \d+ ms\.$/,
      );
      expect(lines[1]).toMatch(
        /^db:migrate: gave up after 2 attempts, each waiting at most 100 ms for a lock/,
      );
      expect(lines[1]).toContain('npm run db:migrate');
    } finally {
      await holder.release();
    }
    expect(
      await rows(
        "select 1 from information_schema.columns where table_name = 'messages' and column_name = 'probe'",
      ),
    ).toHaveLength(0);
  });

  it('the library throws LockRetriesExhaustedError (a refusal) and leaves nothing applied', async () => {
    await migrateDatabase(handle.db, { migrationsFolder: folder() });
    const applied = await rows('select id from drizzle.__drizzle_migrations');
    addMigration('0099_messages_probe', 'ALTER TABLE "messages" ADD COLUMN "probe" text;');
    const holder = await holdLock('messages', 'access share');
    try {
      await expect(
        migrateDatabase(handle.db, {
          migrationsFolder: folder(),
          lockRetries: { lockTimeoutMs: 20, attempts: 2, backoffMs: 1 },
        }),
      ).rejects.toBeInstanceOf(LockRetriesExhaustedError);
    } finally {
      await holder.release();
    }
    expect(await rows('select id from drizzle.__drizzle_migrations')).toEqual(applied);
    expect(
      await rows(
        "select 1 from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations) and hash = ''",
      ),
    ).toHaveLength(0);
    expect(
      await rows(
        "select 1 from information_schema.columns where table_name = 'messages' and column_name = 'probe'",
      ),
    ).toHaveLength(0);
  });
});

describe.skipIf(!hasServer)(`online migrations (${serverOnlyReason || 'server'})`, () => {
  const probeTable =
    'CREATE TABLE "online_probe" ("id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY, "body" text NOT NULL);';

  it('plain drizzle-kit migrate meets one, refuses naming db:migrate, and applies nothing', async () => {
    addMigration('0099_online_probe_table', probeTable);
    addMigration(
      '0100_online_probe_index',
      onlineIndex(
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_online_probe_body" ON "online_probe" ("body");',
      ),
    );
    const kit = await runDrizzleKit(['migrate'], database.env, repo.dir);
    expect(kit.code).not.toBe(0);
    expect(kit.stdout + kit.stderr).toContain('which drizzle-kit migrate cannot do');
    expect(kit.stdout + kit.stderr).toContain('Run `npm run db:migrate`');
    expect(
      await rows("select to_regclass('public.users') as t, to_regclass('public.online_probe') as p"),
    ).toEqual([{ t: null, p: null }]);
    expect(await rows('select 1 from drizzle.__drizzle_migrations')).toHaveLength(0);
  });

  it('db:migrate builds the index outside the transaction while a writer keeps inserting', async () => {
    addMigration('0099_online_probe_table', probeTable);
    addMigration(
      '0100_online_probe_index',
      onlineIndex(
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_online_probe_body" ON "online_probe" ("body");',
      ),
    );
    await migrateDatabase(handle.db, { migrationsFolder: folder(), to: '0099_online_probe_table' });
    await admin`insert into online_probe (body) select 'row ' || g from generate_series(1, 20000) g`;

    // A reader with an old snapshot holds the build in its last phase, so the test can write while
    // the build is certainly still running, then let it finish. The build waits for the reader under
    // lock_timeout: with the default 500 ms a slow machine saw it time out, retry, and be in another
    // phase when checked. Here the attempt waits as long as the migrator allows and may retry as often
    // as it needs: every attempt waits for the same reader, so none can finish before it commits,
    // however long the inserts take. No clock decides the outcome.
    const reader = await admin.reserve();
    await reader`begin isolation level repeatable read`;
    await reader`select count(*) from online_probe`;
    let finished = false;
    const migrating = migrateDatabase(handle.db, {
      migrationsFolder: folder(),
      lockRetries: { lockTimeoutMs: maxLockTimeoutMs, attempts: 1000, backoffMs: 1 },
    }).finally(() => {
      finished = true;
    });
    // This database's build only: the view lists every database's builds, and a relation oid is unique
    // only within one (other suites on this server build the same table and index).
    const phase = async () =>
      (
        await admin`select phase from pg_stat_progress_create_index
          where datid = (select oid from pg_database where datname = current_database())
            and relid = 'online_probe'::regclass`
      )[0]?.phase;
    while (!finished && (await phase()) !== 'waiting for old snapshots') {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(finished).toBe(false);

    for (let i = 0; i < 20; i++) await admin`insert into online_probe (body) values (${`during build ${i}`})`;
    // The writes went through while the build could not finish: it still waits for the reader.
    expect(finished).toBe(false);

    await reader`commit`;
    reader.release();
    const result = await migrating;
    expect(result.applied).toEqual(['0100_online_probe_index']);
    expect(
      await rows(
        "select i.indisvalid as valid from pg_index i where i.indexrelid = 'public.idx_online_probe_body'::regclass",
      ),
    ).toEqual([{ valid: true }]);
    expect(await rows("select 1 from online_probe where body like 'during build %'")).toHaveLength(20);
  });

  it('a failed CREATE UNIQUE INDEX CONCURRENTLY leaves no INVALID index and no history row; a killed run leftover is rebuilt', async () => {
    addMigration('0099_online_probe_table', probeTable);
    addMigration(
      '0100_online_probe_index',
      onlineIndex(
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "idx_online_probe_body" ON "online_probe" ("body");',
      ),
    );
    await migrateDatabase(handle.db, { migrationsFolder: folder(), to: '0099_online_probe_table' });
    await admin`insert into online_probe (body) values ('twice'), ('twice')`;
    const recorded = async () =>
      Number(
        (await rows<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations'))[0]?.n,
      );
    const before = await recorded();

    const failure = await migrateDatabase(handle.db, { migrationsFolder: folder() }).catch((e: unknown) => e);
    expect((failure as { cause?: { code?: string } }).cause?.code).toBe('23505');
    expect(await rows("select to_regclass('public.idx_online_probe_body') as i")).toEqual([{ i: null }]);
    expect(await recorded()).toBe(before);

    // What a run killed mid-build leaves: an INVALID index that IF NOT EXISTS alone would keep.
    await admin
      .unsafe('CREATE UNIQUE INDEX CONCURRENTLY "idx_online_probe_body" ON "online_probe" ("body")')
      .catch(() => {});
    expect(
      await rows(
        "select indisvalid as valid from pg_index where indexrelid = 'public.idx_online_probe_body'::regclass",
      ),
    ).toEqual([{ valid: false }]);
    await admin`delete from online_probe where body = 'twice'`;

    const result = await migrateDatabase(handle.db, { migrationsFolder: folder() });
    expect(result.applied).toEqual(['0100_online_probe_index']);
    expect(
      await rows(
        "select indisvalid as valid from pg_index where indexrelid = 'public.idx_online_probe_body'::regclass",
      ),
    ).toEqual([{ valid: true }]);
    expect(await recorded()).toBe(before + 1);
  });

  it('db:rollback reverses it with its down file outside the transaction, and db:migrate builds it again', async () => {
    addMigration('0099_online_probe_table', probeTable);
    addMigration(
      '0100_online_probe_index',
      onlineIndex(
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_online_probe_body" ON "online_probe" ("body");',
      ),
    );
    repo.write('drizzle/down/0099_online_probe_table.sql', 'DROP TABLE "online_probe";\n');
    repo.write(
      'drizzle/down/0100_online_probe_index.sql',
      `${onlineMarker}\nDROP INDEX CONCURRENTLY IF EXISTS "idx_online_probe_body";\n`,
    );
    await migrateDatabase(handle.db, { migrationsFolder: folder() });
    const index = async () =>
      (await rows("select to_regclass('public.idx_online_probe_body')::text as i"))[0]?.i;
    expect(await index()).toBe('idx_online_probe_body');

    const result = await rollbackDatabase(handle.db, {
      migrationsFolder: folder(),
      to: '0099_online_probe_table',
    });
    expect(result.rolledBack).toEqual(['0100_online_probe_index']);
    expect(await index()).toBeNull();
    expect(await rows('select 1 from online_probe')).toEqual([]);

    const again = await migrateDatabase(handle.db, { migrationsFolder: folder() });
    expect(again.applied).toEqual(['0100_online_probe_index']);
    expect(await index()).toBe('idx_online_probe_body');
  });
});
