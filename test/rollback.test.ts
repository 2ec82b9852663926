import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { schemaChangeLockName } from '../src/deploy/lock.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import { rollbackDatabase } from '../src/deploy/rollback.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { dumpCatalog } from './support/catalog-dump.js';
import { insertMoveWithOwner } from './support/host-rows.js';
import { removeSync } from './support/legacy-rows.js';
import { repoRoot, runInProcess } from './support/run.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

const migrations = readMigrations();
const tags = migrations.map((m) => m.tag);

let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase('rollback');
  handle = await database.open();
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

beforeEach(async () => {
  await rollbackDatabase(handle.db, { to: 'none', force: true });
});

async function historyWhens(): Promise<number[]> {
  const rows = await queryRows<{ created_at: string }>(
    handle.db,
    sql`select created_at::text from drizzle.__drizzle_migrations order by id`,
  );
  return rows.map((r) => Number(r.created_at));
}

const whensUpTo = (index: number) => migrations.slice(0, index + 1).map((m) => m.when);

describe('db:rollback', () => {
  it('up -> down -> up: every step has the catalog the same step had going up', async () => {
    const empty = await dumpCatalog(handle.db);
    const goingUp: string[][] = [];
    for (const tag of tags) {
      await migrateDatabase(handle.db, { to: tag });
      goingUp.push(await dumpCatalog(handle.db));
    }
    // Each step changes something, so equal dumps below are not vacuous.
    for (const [i, dump] of goingUp.entries()) expect(dump).not.toEqual(goingUp[i - 1] ?? empty);

    // The state with the app role's grants and no policies yet is refused going down (issue 16: it
    // exposes every row), so that step is skipped: the next one reverses both.
    let applied = tags.length - 1;
    for (let i = tags.length - 2; i >= 0; i--) {
      if (tags[i]?.endsWith('_conversations_app_role')) {
        await expect(rollbackDatabase(handle.db, { to: tags[i] ?? '' })).rejects.toThrow(
          'Refusing to roll back',
        );
        expect(await dumpCatalog(handle.db)).toEqual(goingUp[applied]);
        continue;
      }
      const result = await rollbackDatabase(handle.db, { to: tags[i] ?? '' });
      expect(result.rolledBack).toEqual(tags.slice(i + 1, applied + 1).reverse());
      expect(await dumpCatalog(handle.db)).toEqual(goingUp[i]);
      expect(await historyWhens()).toEqual(whensUpTo(i));
      applied = i;
    }
    await rollbackDatabase(handle.db, { to: 'none' });
    expect(await dumpCatalog(handle.db)).toEqual(empty);
    expect(await historyWhens()).toEqual([]);

    for (const [i, tag] of tags.entries()) {
      const result = await migrateDatabase(handle.db, { to: tag });
      expect(result.applied).toEqual([tag]);
      expect(await dumpCatalog(handle.db)).toEqual(goingUp[i]);
    }
  });

  it('reverses several migrations newest first in one run', async () => {
    await migrateDatabase(handle.db);
    const result = await rollbackDatabase(handle.db, { to: '0000' });
    expect(result).toEqual({ rolledBack: tags.slice(1).reverse(), stillApplied: [tags[0]] });
    expect(await historyWhens()).toEqual(whensUpTo(0));
  });

  describe('the down of 0001_conversations', () => {
    // The expand step: legacy and new tables side by side, as before the drop.
    beforeEach(async () => {
      await migrateDatabase(handle.db, { to: expandStepTag() });
      await removeSync(handle.db); // rows the sync did not see: the new tables hold only what the test puts there
    });

    it('passes when every row of the new tables is a copy of legacy data', async () => {
      const { move, user } = await insertMoveWithOwner(handle.db, 'legacy');
      await handle.db.execute(sql`
        insert into chat_sessions (id, move_id) values ('00000000-0000-4000-8000-000000000001', ${move.id}),
                                                       ('00000000-0000-4000-8000-000000000002', null)`);
      await handle.db.execute(sql`
        insert into chat_messages (id, session_id, role, content)
        values ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'user', 'hi')`);
      await handle.db.execute(sql`
        insert into conversations (id, move_id) values ('00000000-0000-4000-8000-000000000001', ${move.id})`);
      await handle.db.execute(sql`
        insert into messages (id, conversation_id, content)
        values ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'hi')`);
      await handle.db.execute(sql`
        insert into conversation_participants (conversation_id, user_id, participant_type)
        values ('00000000-0000-4000-8000-000000000001', ${user.id}, 'employee')`);
      await handle.db.execute(sql`
        insert into chat_session_archive (session_id, session, reason)
        values ('00000000-0000-4000-8000-000000000002', '{}', 'no move')`);

      const result = await rollbackDatabase(handle.db, { to: '0000_legacy_baseline' });
      expect(result.rolledBack).toEqual(tags.slice(1, tags.indexOf(expandStepTag()) + 1).reverse());
      const legacy = await queryRows<{ n: number }>(
        handle.db,
        sql`select count(*)::int as n from chat_messages`,
      );
      expect(legacy).toEqual([{ n: 1 }]);
    });

    it('refuses (exit 2, nothing changed) when rows did not come from legacy data; --force drops them', async () => {
      const { move } = await insertMoveWithOwner(handle.db, 'native');
      await handle.db.execute(sql`insert into conversations (move_id) values (${move.id})`);
      const before = await dumpCatalog(handle.db);
      await handle.close(); // PGlite: one process at a time

      const refused = await runInProcess('db-rollback.ts', ['--to', '0000'], database.env);
      expect(refused.stderr).toBe(
        'db:rollback: rollback of 0001_conversations refused: the new tables hold rows that did not come from legacy data and would be lost (conversations: 1, messages: 0, conversation_participants: 0, chat_session_archive: 0). Export or move those rows first, or run npm run db:rollback -- --to <tag> --force to drop them.\n',
      );
      expect(refused.code).toBe(2);
      handle = await database.open();
      expect(await dumpCatalog(handle.db)).toEqual(before);
      expect(await historyWhens()).toEqual(whensUpTo(tags.indexOf(expandStepTag())));
      await handle.close();

      const forced = await runInProcess('db-rollback.ts', ['--to', '0000', '--force'], database.env);
      expect(forced.stderr).toBe('');
      expect(forced.stdout).toContain(`Rolled back: ${expandStepTag()}`);
      expect(forced.stdout).toContain(`Still applied: ${tags[0]}`);
      expect(forced.code).toBe(0);
      handle = await database.open();
      expect(await historyWhens()).toEqual(whensUpTo(0));
    });
  });

  it('the down of 0000 refuses while the host tables hold rows', async () => {
    await migrateDatabase(handle.db, { to: '0000' });
    await insertMoveWithOwner(handle.db, 'host');
    await expect(rollbackDatabase(handle.db, { to: 'none' })).rejects.toThrow(
      /^rollback of 0000_legacy_baseline refused: users, employees, moves hold rows;/,
    );
    expect(await historyWhens()).toEqual(whensUpTo(0));
  });

  it('refuses, changing nothing, when a migration to reverse has no down file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cdb-no-down-'));
    try {
      cpSync(resolve(repoRoot, 'drizzle'), folder, { recursive: true });
      rmSync(join(folder, 'down', `${tags[1]}.sql`));
      await migrateDatabase(handle.db);
      await expect(rollbackDatabase(handle.db, { to: 'none', migrationsFolder: folder })).rejects.toThrow(
        `Cannot roll back ${tags[1]}: drizzle/down/${tags[1]}.sql does not exist.`,
      );
      expect(await historyWhens()).toEqual(whensUpTo(tags.length - 1));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('bad --to values are usage errors (exit 2)', async () => {
    await handle.close();
    try {
      const missing = await runInProcess('db-rollback.ts', [], database.env);
      expect(missing.stderr).toContain('db:rollback: --to <tag> is required (or --to none for everything).');
      expect(missing.code).toBe(2);
      const unknown = await runInProcess('db-rollback.ts', ['--to', '0042_nope'], database.env);
      expect(unknown.stderr).toBe(
        `db:rollback: --to 0042_nope: no such migration. Known tags: ${tags.join(', ')}; or \`none\` to roll back everything.\n`,
      );
      expect(unknown.code).toBe(2);
    } finally {
      handle = await database.open();
    }
  });

  it.skipIf(!hasServer)(`waits for db:migrate's advisory lock ${serverOnlyReason}`, async () => {
    await migrateDatabase(handle.db);
    const holder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
    try {
      const reserved = await holder.reserve();
      await reserved`select pg_advisory_lock(hashtextextended(${schemaChangeLockName}, 0))`;
      let finished = false;
      const rollback = rollbackDatabase(handle.db, { to: tags.at(-2) ?? '' }).then((r) => {
        finished = true;
        return r;
      });
      // Wait until the rollback is seen queueing on the lock (or has finished, which fails below), then
      // check that it did not proceed. No deadline: a loaded machine may take long to get there.
      const waitingOnTheLock = async () =>
        (
          await reserved<
            { n: number }[]
          >`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted
              and database = (select oid from pg_database where datname = current_database())`
        )[0]?.n;
      while (!finished && (await waitingOnTheLock()) !== 1) await new Promise((r) => setTimeout(r, 50));
      const waiting = { n: await waitingOnTheLock() };
      expect(waiting?.n).toBe(1);
      expect(finished).toBe(false);
      await reserved`select pg_advisory_unlock(hashtextextended(${schemaChangeLockName}, 0))`;
      reserved.release();
      expect((await rollback).rolledBack).toEqual([tags.at(-1)]);
    } finally {
      await holder.end();
    }
  });
});
