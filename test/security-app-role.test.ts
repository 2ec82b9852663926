import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { conversationParticipants, conversations, messages, users } from '../src/app/schema/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { type DatabaseHandle, openDatabase } from '../src/operator/connect.js';
import { insertMoveWithOwner } from './support/host-rows.js';
import { rejection } from './support/rejection.js';
import {
  createTestDatabase,
  hasServer,
  runScopedName,
  serverOnlyReason,
  type TestDatabase,
  testServer,
} from './support/test-database.js';

// Issue 16: what the app role may write, and what one role for the whole server means for two
// databases that both use the package.

let first: TestDatabase;
let handle: DatabaseHandle;
let conversationId = '';

beforeAll(async () => {
  first = await createTestDatabase('app_role_a', { at: 'migrated' });
  handle = await first.open({ maxConnections: 1 });
  const { move } = await insertMoveWithOwner(handle.db, 'columns');
  await handle.db.insert(users).values({ id: 'poster', email: 'poster@example.com' });
  const [conversation] = await handle.db.insert(conversations).values({ moveId: move.id }).returning();
  conversationId = conversation?.id ?? '';
  await handle.db
    .insert(conversationParticipants)
    .values({ conversationId, userId: 'poster', participantType: 'employee' });
});

afterAll(async () => {
  await handle?.close();
  await first?.drop();
});

describe('the columns of a message the app role cannot choose', () => {
  const chosen = {
    id: '11111111-2222-4333-8444-555555555555',
    createdAt: new Date('1999-01-01T00:00:00Z'),
    model: 'gpt-impersonated',
  };

  it('id, created_at and model are the server’s when the app role posts; the rest is what it sent', async () => {
    const { row, now } = await withUser(handle.db, 'poster', async (tx) => {
      const [inserted] = await tx
        .insert(messages)
        .values({
          conversationId,
          authorId: 'poster',
          content: 'mine',
          metadata: { isEmail: false },
          ...chosen,
        })
        .returning();
      const [clock] = await queryRows<{ now: string }>(tx, sql`select now()::text as now`);
      return { row: inserted, now: clock?.now };
    });
    expect(row?.id).not.toBe(chosen.id);
    expect(row?.model).toBeNull();
    expect(row).toMatchObject({ content: 'mine', authorId: 'poster', metadata: { isEmail: false } });
    // The transaction's own time, whatever the app sent.
    const [stored] = await queryRows<{ created_at: string }>(
      handle.db,
      sql`select created_at::text from messages where id = ${row?.id ?? ''}::uuid`,
    );
    expect(stored?.created_at).toBe(now);
    expect(await handle.db.select().from(messages).where(eq(messages.id, chosen.id))).toEqual([]);
  });

  it('the owner (the mover, the owning service) keeps the values it sends', async () => {
    const [row] = await handle.db
      .insert(messages)
      .values({ conversationId, authorType: 'ai', content: 'moved', ...chosen })
      .returning();
    expect(row).toMatchObject({ id: chosen.id, model: chosen.model, createdAt: chosen.createdAt });
    await handle.db.delete(messages).where(eq(messages.id, chosen.id));
  });

  it('the app role still cannot set anything the policies forbid', async () => {
    const error = await rejection(
      withUser(handle.db, 'poster', (tx) =>
        tx.insert(messages).values({ conversationId, authorId: 'poster', authorType: 'ai', content: 'x' }),
      ),
    );
    expect(error.code).toBe('42501');
  });
});

describe.skipIf(!hasServer)(`one app role for the whole server ${serverOnlyReason}`, () => {
  // Two databases on one server, each with the package; a login for each, both granted the
  // cluster-wide conversations_app. app.user_id is whatever the app says, so the only thing that
  // keeps the first login out of the second database is who may connect to it.
  // Named for the run, which drops them after the databases (a CONNECT grant ties loginB to the second).
  const loginA = runScopedName('login_a');
  const loginB = runScopedName('login_b');
  const password = 'app-role-test';
  let second: TestDatabase;
  let admin: postgres.Sql | undefined;

  const urlAs = (database: TestDatabase, role: string) => {
    const url = new URL(database.url ?? '');
    url.username = role;
    url.password = password;
    return url.toString();
  };

  beforeAll(async () => {
    if (testServer.mode !== 'server') return;
    second = await createTestDatabase('app_role_b', { at: 'migrated' });
    const setup = await second.open({ maxConnections: 1 });
    try {
      const { move } = await insertMoveWithOwner(setup.db, 'tenant-b');
      await setup.db.insert(users).values({ id: 'victim', email: 'victim@example.com' });
      const [conversation] = await setup.db
        .insert(conversations)
        .values({ moveId: move.id, title: 'tenant b secret' })
        .returning();
      await setup.db
        .insert(conversationParticipants)
        .values({ conversationId: conversation?.id ?? '', userId: 'victim', participantType: 'employee' });
    } finally {
      await setup.close();
    }
    admin = postgres(testServer.adminUrl, { max: 1, onnotice: () => {} });
    for (const login of [loginA, loginB]) {
      await admin.unsafe(`CREATE ROLE "${login}" LOGIN PASSWORD '${password}'`);
      await admin.unsafe(`GRANT conversations_app TO "${login}"`);
    }
  });

  afterAll(async () => {
    await second?.drop();
    await admin?.end();
  });

  const secretsSeenBy = async (login: string) => {
    const app = await openDatabase({ url: urlAs(second, login), maxConnections: 1 });
    try {
      return await withUser(app.db, 'victim', async (tx) =>
        (await tx.select({ title: conversations.title }).from(conversations)).map((r) => r.title),
      );
    } finally {
      await app.close();
    }
  };

  const databaseName = () => new URL(second.url ?? '').pathname.slice(1);

  it('without isolation, a login granted the role for one database reads another', async () => {
    await admin?.unsafe(`GRANT CONNECT ON DATABASE "${databaseName()}" TO PUBLIC`);
    expect(await secretsSeenBy(loginA)).toEqual(['tenant b secret']);
  });

  it('REVOKE CONNECT ... FROM PUBLIC and a grant to its own login keeps every other login out', async () => {
    if (!admin) throw new Error('setup did not run');
    const name = databaseName();
    await admin.unsafe(`REVOKE CONNECT ON DATABASE "${name}" FROM PUBLIC`);
    await admin.unsafe(`GRANT CONNECT ON DATABASE "${name}" TO "${loginB}"`);
    const refused = await rejection(secretsSeenBy(loginA));
    expect(refused.message).toContain(`permission denied for database "${name}"`);
    expect(await secretsSeenBy(loginB)).toEqual(['tenant b secret']);
  });
});
