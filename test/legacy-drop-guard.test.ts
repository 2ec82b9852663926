import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { moveLegacyChats } from '../src/operator/legacy-move/index.js';
import { tablesIn } from './support/catalog.js';
import {
  count,
  createLegacyTables,
  insertMessage,
  insertMove,
  insertSession,
} from './support/legacy-rows.js';
import { runDrizzleKit, runInProcess } from './support/run.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

// The contract step: plain drizzle-kit migrate on a legacy database whose chats are not moved must
// fail with a message naming the commands, and leave nothing behind; after the move it applies.

const legacyTables = ['chat_messages', 'chat_sessions', 'employees', 'moves', 'users'];

let database: TestDatabase;

beforeEach(async () => {
  database = await createTestDatabase('drop_guard');
});

afterEach(async () => {
  await database.drop();
});

async function withDb<T>(use: (db: Parameters<typeof insertMove>[0]) => Promise<T>): Promise<T> {
  const handle = await database.open({ maxConnections: 1 });
  try {
    return await use(handle.db);
  } finally {
    await handle.close();
  }
}

describe('the guarded drop', () => {
  // Two tests, not one: six command processes in one test shared one time limit, which PGlite mode
  // on a loaded machine ran out of. The refusal needs the real commands; the move before the second
  // drop runs in process, as the library (the commands are tested on their own elsewhere).
  it('plain drizzle-kit migrate on an unmoved legacy database fails, names the commands, leaves no new table', async () => {
    await withDb(async (db) => {
      await createLegacyTables(db);
      const { moveId } = await insertMove(db, 'owner@example.com');
      const session = await insertSession(db, { moveId });
      await insertMessage(db, session);
      await insertSession(db, { moveId: null });
    });
    expect((await runInProcess('db-baseline.ts', [], database.env)).code).toBe(0);

    const refusal =
      'Refusing to drop chat_sessions and chat_messages: the legacy and new tables are not equal under the mapping (1 message-missing, 1 orphan-not-archived, 1 session-missing), and the drop would lose what differs. Nothing was changed.';
    const hint =
      'Run `npm run chats:migrate` to move what is missing, then `npm run chats:validate` to see any row left. Then run the migration again.';
    const refused = await runDrizzleKit(['migrate'], database.env);
    expect(refused.code).not.toBe(0);
    // drizzle-kit 0.31 prints no migration error (drizzle-orm#5816); on a server it prints the guard's
    // WARNING, while its PGlite driver prints no notices at all. The refusal itself holds in both.
    if (hasServer) {
      expect(refused.stdout + refused.stderr).toContain(`WARNING: ${refusal}\nHINT: ${hint}`);
    }
    expect(await withDb((db) => tablesIn(db))).toEqual(legacyTables);

    const ours = await runInProcess('db-migrate.ts', [], database.env);
    expect(ours.code).toBe(2);
    // The same run carried the expand step, which the refusal rolled back too: db:migrate names the step
    // that works from here (the expand step alone), not chats:migrate, which needs the new tables.
    expect(ours.stderr).toContain(`then move the chats.`);
    expect(ours.stderr).toContain(`Run \`npm run db:migrate -- --to ${expandStepTag()}\` first`);
    expect(ours.stderr).not.toContain('Failed query');
    expect(await withDb((db) => tablesIn(db))).toEqual(legacyTables);
  });

  it('after the move, plain drizzle-kit migrate applies the drop, the orphan kept in the archive; chats:rollback then refuses, naming the db:rollback that undoes the drop', async () => {
    const legacy = await createTestDatabase('drop_guard_moved', { at: 'legacy' });
    try {
      const handle = await legacy.open({ maxConnections: 1 });
      try {
        const { moveId } = await insertMove(handle.db, 'owner@example.com');
        const session = await insertSession(handle.db, { moveId });
        await insertMessage(handle.db, session);
        await insertSession(handle.db, { moveId: null });
        await migrateDatabase(handle.db, { to: expandStepTag() });
        await moveLegacyChats(handle.db);
      } finally {
        await handle.close();
      }
      const applied = await runDrizzleKit(['migrate'], legacy.env);
      expect(applied.code).toBe(0);
      const after = await legacy.open({ maxConnections: 1 });
      try {
        const tables = await tablesIn(after.db);
        expect(tables).not.toContain('chat_sessions');
        expect(tables).not.toContain('chat_messages');
        expect(tables).toContain('conversations');
        // The orphan survives the drop in the archive, and the conversation in the new tables.
        expect(await count(after.db, 'chat_session_archive')).toBe(1);
        expect(await count(after.db, 'messages')).toBe(1);
      } finally {
        await after.close();
      }

      const rollback = await runInProcess('chats-rollback.ts', [], legacy.env);
      expect(rollback.code).toBe(2);
      expect(rollback.stderr).toContain('the legacy tables chat_sessions and chat_messages are gone');
      // It names the exact command that undoes the drop; following it, chats:rollback works.
      const undoDrop = `npm run db:rollback -- --to ${expandStepTag()}`;
      expect(rollback.stderr).toContain(`Run \`${undoDrop}\` first`);
      const undone = await runInProcess('db-rollback.ts', ['--to', expandStepTag()], legacy.env);
      expect(undone.stderr).toBe('');
      expect(undone.code).toBe(0);
      expect((await runInProcess('chats-rollback.ts', [], legacy.env)).code).toBe(0);
    } finally {
      await legacy.drop();
    }
  });
});

describe('npm run demo', () => {
  it('runs the whole story on a fresh database and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdb-demo-'));
    try {
      // PGlite mode: DATABASE_URL is unset in database.env and the demo uses DEMO_DATA_DIR; server
      // mode: the demo uses this test's empty database.
      const result = await runInProcess('demo.ts', ['--sessions', '40'], {
        ...database.env,
        DEMO_DATA_DIR: dir,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        'Refused, as it must be: Refusing to drop chat_sessions and chat_messages',
      );
      expect(result.stdout).toContain('Validation passed');
      expect(result.stdout).toMatch(/Applied: \d{4}_drop_legacy_chats/);
      expect(result.stdout).toContain('Legacy tables dropped.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasServer)(`refuses a database that is not empty ${serverOnlyReason}`, async () => {
    await withDb((db) => db.execute(sql`create table keep_me (id int)`));
    const result = await runInProcess('demo.ts', [], database.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not empty');
    expect(await withDb((db) => tablesIn(db))).toEqual(['keep_me']);
  });
});
