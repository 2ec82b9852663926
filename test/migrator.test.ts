import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import { tablesIn } from './support/catalog.js';
import { createLegacyTables } from './support/legacy-rows.js';
import { runDrizzleKit, runInProcess } from './support/run.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

const tags = readMigrations().map((m) => m.tag);

let database: TestDatabase;

beforeEach(async () => {
  database = await createTestDatabase('migrator');
});

afterEach(async () => {
  await database.drop();
});

/** What drizzle's bookkeeping says is applied: (hash, created_at) in order. */
async function history(): Promise<{ hash: string; created_at: string }[]> {
  const handle = await database.open();
  try {
    return await queryRows(
      handle.db,
      sql`select hash, created_at::text from drizzle.__drizzle_migrations order by id`,
    );
  } finally {
    await handle.close();
  }
}

async function publicTables(): Promise<string[]> {
  const handle = await database.open();
  try {
    return await tablesIn(handle.db);
  } finally {
    await handle.close();
  }
}

const expectedHistory = (upTo: number) =>
  readMigrations()
    .slice(0, upTo + 1)
    .map((m) => ({ hash: m.hash, created_at: String(m.when) }));

describe('db:migrate', () => {
  it('--to stops at the named migration and plain drizzle-kit migrate applies the rest', async () => {
    const first = await runInProcess('db-migrate.ts', ['--to', '0000_legacy_baseline'], database.env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Applied: 0000_legacy_baseline');
    expect(first.stdout).toContain(`Left pending (after --to): ${tags.slice(1).join(', ')}`);
    expect(first.stdout).toMatch(/Done in \d+\.\d\ds\./);
    expect(await publicTables()).toEqual(['chat_messages', 'chat_sessions', 'employees', 'moves', 'users']);
    expect(await history()).toEqual(expectedHistory(0));

    const kit = await runDrizzleKit(['migrate'], database.env);
    expect(kit.code).toBe(0);
    expect(await publicTables()).toContain('conversations');
    // drizzle-kit recorded the rest exactly as our migrator records: one row per migration, no repeat.
    expect(await history()).toEqual(expectedHistory(tags.length - 1));
  });

  it('a second db:migrate applies nothing', async () => {
    expect((await runInProcess('db-migrate.ts', [], database.env)).code).toBe(0);
    const second = await runInProcess('db-migrate.ts', [], database.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to apply.');
    expect(second.stdout).toContain(`Already applied: ${tags.join(', ')}`);
    expect(await history()).toEqual(expectedHistory(tags.length - 1));
  });

  it('rejects an unknown --to with the list of known tags, and applies nothing', async () => {
    const result = await runInProcess('db-migrate.ts', ['--to', '0099_nope'], database.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--to 0099_nope: no such migration. Known tags: 0000_legacy_baseline');
    expect(await publicTables()).toEqual([]);
  });

  it.skipIf(!hasServer)(
    `four db:migrate processes at once apply the chain once ${serverOnlyReason}`,
    async () => {
      const runs = await Promise.all([1, 2, 3, 4].map(() => runInProcess('db-migrate.ts', [], database.env)));
      for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(runs.filter((r) => r.stdout.includes('Applied: 0000_legacy_baseline'))).toHaveLength(1);
      expect(runs.filter((r) => r.stdout.includes('Nothing to apply.'))).toHaveLength(3);
      expect(await history()).toEqual(expectedHistory(tags.length - 1));
    },
  );

  it.skipIf(!hasServer)('never prints the password of DATABASE_URL', async () => {
    const url = new URL(database.url ?? '');
    url.password = 'hunter2-secret';
    const result = await runInProcess('db-migrate.ts', [], { ...database.env, DATABASE_URL: url.toString() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('***');
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
  });

  it('refuses a legacy database without history, naming db:baseline, and changes nothing', async () => {
    await buildLegacyByHand();
    const result = await runInProcess('db-migrate.ts', [], database.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no migration history');
    expect(result.stderr).toContain('npm run db:baseline');
    expect(await publicTables()).toEqual(['chat_messages', 'chat_sessions', 'employees', 'moves', 'users']);
  });
});

describe('db:baseline', () => {
  it('adopts a database built by hand from the BEFORE DDL, after which db:migrate works', async () => {
    await buildLegacyByHand();
    const baseline = await runInProcess('db-baseline.ts', [], database.env);
    expect(baseline.stderr).toBe('');
    expect(baseline.code).toBe(0);
    expect(baseline.stdout).toContain('Recorded 0000_legacy_baseline as applied (not run).');
    expect(await history()).toEqual(expectedHistory(0));

    const migrate = await runInProcess('db-migrate.ts', [], database.env);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('Already applied: 0000_legacy_baseline');
    expect(migrate.stdout).toContain('Applied: 0001_conversations');
    expect(await publicTables()).toContain('messages');
    expect(await history()).toEqual(expectedHistory(tags.length - 1));
  });

  it('refuses when a migration history exists, naming the next step of the story (not itself, not a refusing command)', async () => {
    expect((await runInProcess('db-migrate.ts', ['--to', '0000_legacy_baseline'], database.env)).code).toBe(
      0,
    );
    const result = await runInProcess('db-baseline.ts', [], database.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('already has a migration history (1 applied), so it needs no baseline.');
    expect(result.stderr).toContain(`Next: \`npm run db:migrate -- --to ${tags.at(-2)}\`.`);

    expect((await runInProcess('db-migrate.ts', [], database.env)).code).toBe(0);
    const done = await runInProcess('db-baseline.ts', [], database.env);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(
      'Nothing is left to run (`npm run db:status` shows every migration applied).',
    );
  });

  it('refuses an empty database, naming db:migrate, and a partial one, naming what is missing', async () => {
    const empty = await runInProcess('db-baseline.ts', [], database.env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(
      'db:baseline: Cannot baseline an empty database: there is nothing to adopt. Run `npm run db:migrate`, which creates everything.\n',
    );
    expect(await publicTables()).toEqual([]);

    const handle = await database.open();
    try {
      await handle.db.execute(sql.raw('CREATE TABLE users (id text PRIMARY KEY, email text NOT NULL)'));
    } finally {
      await handle.close();
    }
    const partial = await runInProcess('db-baseline.ts', [], database.env);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain(
      'lacks employees, moves, chat_sessions, chat_messages, message_role of the legacy schema (it has users)',
    );
    expect(await publicTables()).toEqual(['users']);
  });
});

async function buildLegacyByHand(): Promise<void> {
  const handle = await database.open();
  try {
    await createLegacyTables(handle.db);
  } finally {
    await handle.close();
  }
}
