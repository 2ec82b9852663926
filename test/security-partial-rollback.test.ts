import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { conversationParticipants, conversations, messages, users } from '../src/app/schema/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { MigrationRefusedError } from '../src/deploy/errors.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import { rollbackDatabase } from '../src/deploy/rollback.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { dumpCatalog } from './support/catalog-dump.js';
import { insertMoveWithOwner } from './support/host-rows.js';
import { rejection } from './support/rejection.js';
import { runScript } from './support/run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// Issue 16: `db:rollback --to 0003` used to remove the policies and keep the grants, and a
// non-participant then read 8 of 10 messages. A rollback that would leave the app role with access
// and no policy is refused, changing nothing; one that takes the grants too passes.

const tags = readMigrations().map((m) => m.tag);
const appRoleTag = tags.find((t) => t.endsWith('_conversations_app_role')) ?? '';
const beforeAppRole = tags[tags.indexOf(appRoleTag) - 1] ?? '';
const policiesTag = tags.find((t) => t.endsWith('_conversations_row_level_security')) ?? '';

let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase('partial_rollback');
  handle = await database.open({ maxConnections: 1 });
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

async function migrateWithMessages() {
  await rollbackDatabase(handle.db, { to: 'none', force: true });
  await migrateDatabase(handle.db);
  const { move } = await insertMoveWithOwner(handle.db, `partial_${Date.now()}`);
  await handle.db.insert(users).values({ id: `insider_${move.id}`, email: `insider_${move.id}@example.com` });
  const [conversation] = await handle.db.insert(conversations).values({ moveId: move.id }).returning();
  const conversationId = conversation?.id ?? '';
  await handle.db
    .insert(conversationParticipants)
    .values({ conversationId, userId: `insider_${move.id}`, participantType: 'employee' });
  await handle.db
    .insert(messages)
    .values(Array.from({ length: 10 }, (_, i) => ({ conversationId, content: `message ${i}` })));
}

const readAsOutsider = () =>
  withUser(handle.db, 'outsider', async (tx) => (await tx.select().from(messages)).length);

describe('a rollback that would leave the app role without policies', () => {
  it(`--to ${appRoleTag} is refused (exit 2), changing nothing; an outsider still reads nothing`, async () => {
    await migrateWithMessages();
    const before = await dumpCatalog(handle.db);
    const result = await runScript('db-rollback.ts', ['--to', appRoleTag], database.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `Refusing to roll back to ${appRoleTag}: conversations_app would keep its grants on`,
    );
    expect(result.stderr).toContain(`Roll back to ${beforeAppRole} instead (the grants go too)`);
    expect(result.stderr).toContain('Nothing was changed.');
    expect(await dumpCatalog(handle.db)).toEqual(before);
    expect(await readAsOutsider()).toBe(0);
  });

  it('the library refuses with the same error, and the next step it names works', async () => {
    await migrateWithMessages();
    await expect(rollbackDatabase(handle.db, { to: appRoleTag, force: true })).rejects.toBeInstanceOf(
      MigrationRefusedError,
    );
    const result = await rollbackDatabase(handle.db, { to: beforeAppRole });
    expect(result.stillApplied.at(-1)).toBe(beforeAppRole);
    // The grants went with the policies: the app role reads nothing at all now, not every row.
    const denied = await rejection(readAsOutsider());
    expect(denied.message).toContain('permission denied');
    const [{ n } = { n: -1 }] = await queryRows<{ n: number }>(
      handle.db,
      sql`select count(*)::int as n from messages`,
    );
    expect(n).toBe(10);
  });

  it(`rolling back to ${policiesTag} (policies and grants both kept) passes`, async () => {
    await migrateWithMessages();
    await rollbackDatabase(handle.db, { to: policiesTag, force: true });
    expect(await readAsOutsider()).toBe(0);
  });
});
