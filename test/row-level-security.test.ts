import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Queryable, queryRows } from '../src/app/database.js';
import { conversationParticipants, conversations, messages } from '../src/app/schema/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { insertMoveWithOwner, insertNamedConversations, insertUsers } from './support/host-rows.js';
import { rejection } from './support/rejection.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// PGlite is a full PostgreSQL with roles, SET ROLE and row-level security, so these run in both modes.

let database: TestDatabase;
let handle: DatabaseHandle;

/** Conversation ids by name, filled by the owner in beforeAll. */
const ids = { lease: '', boxes: '', other: '' };
const rowLevelSecurityViolation = '42501';

beforeAll(async () => {
  database = await createTestDatabase('rls', { at: 'migrated' });
  // One pooled connection: every withUser call and raw query below shares it, so a leak would show.
  handle = await database.open({ maxConnections: 1 });
  const { db } = handle;
  const { move } = await insertMoveWithOwner(db, 'rls');
  await insertUsers(db, ['alice', 'bob', 'carol', 'dave', 'erin']);
  Object.assign(ids, await insertNamedConversations(db, move.id, ['lease', 'boxes', 'other']));
  await db.insert(conversationParticipants).values([
    { conversationId: ids.lease, userId: 'alice', participantType: 'employee', role: 'owner' },
    { conversationId: ids.lease, userId: 'bob', participantType: 'vendor', role: 'participant' },
    { conversationId: ids.lease, userId: 'carol', participantType: 'admin', role: 'observer' },
    { conversationId: ids.lease, participantType: 'ai' },
    { conversationId: ids.boxes, userId: 'bob', participantType: 'vendor', role: 'owner' },
    { conversationId: ids.other, userId: 'erin', participantType: 'employee', role: 'owner' },
  ]);
  await db.insert(messages).values([
    { conversationId: ids.lease, authorId: 'alice', content: 'lease: hello' },
    { conversationId: ids.lease, authorType: 'ai', content: 'lease: ai answer' },
    { conversationId: ids.boxes, authorId: 'bob', content: 'boxes: hello' },
    { conversationId: ids.other, authorId: 'erin', content: 'other: hello' },
  ]);
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

/** What `userId` sees through the app role: titles of conversations, participants and messages. */
function visibleTo(userId: string) {
  return withUser(handle.db, userId, async (tx) => ({
    conversations: (await tx.select({ title: conversations.title }).from(conversations))
      .map((r) => r.title)
      .sort(),
    participants: (
      await tx
        .select({ user: conversationParticipants.userId, type: conversationParticipants.participantType })
        .from(conversationParticipants)
    )
      .map((r) => `${r.user ?? '-'}/${r.type}`)
      .sort(),
    messages: (await tx.select({ content: messages.content }).from(messages)).map((r) => r.content).sort(),
  }));
}

function post(userId: string, values: Partial<typeof messages.$inferInsert>) {
  return withUser(handle.db, userId, (tx) =>
    tx
      .insert(messages)
      .values({ conversationId: ids.lease, authorId: userId, content: `posted by ${userId}`, ...values })
      .returning({ id: messages.id }),
  );
}

async function sessionState(db: Queryable) {
  const [row] = await queryRows<{ role: string; user_id: string | null; messages: number }>(
    db,
    sql`select current_user as role, current_setting('app.user_id', true) as user_id,
               (select count(*)::int from messages) as messages`,
  );
  return row;
}

describe('row-level security for the conversations_app role', () => {
  it('a non-participant sees zero rows and cannot post', async () => {
    expect(await visibleTo('dave')).toEqual({ conversations: [], participants: [], messages: [] });
    const error = await rejection(post('dave', {}));
    expect(error.code).toBe(rowLevelSecurityViolation);
    expect(error.message).toContain('row-level security policy');
  });

  it('a participant sees exactly their conversations, their participants and their messages', async () => {
    expect(await visibleTo('alice')).toEqual({
      conversations: ['lease'],
      participants: ['-/ai', 'alice/employee', 'bob/vendor', 'carol/admin'],
      messages: ['lease: ai answer', 'lease: hello'],
    });
    expect(await visibleTo('bob')).toEqual({
      conversations: ['boxes', 'lease'],
      participants: ['-/ai', 'alice/employee', 'bob/vendor', 'bob/vendor', 'carol/admin'],
      messages: ['boxes: hello', 'lease: ai answer', 'lease: hello'],
    });
  });

  it('a participant posts as themselves into their conversation', async () => {
    const [posted] = await post('bob', { content: 'bob was here' });
    const [stored] = await handle.db
      .select()
      .from(messages)
      .where(eq(messages.id, posted?.id ?? ''));
    expect(stored).toMatchObject({ conversationId: ids.lease, authorId: 'bob', authorType: 'user' });
  });

  it('forging author_id, posting as the AI, or posting elsewhere fails', async () => {
    expect((await rejection(post('alice', { authorId: 'bob' }))).code).toBe(rowLevelSecurityViolation);
    expect((await rejection(post('alice', { authorId: null }))).code).toBe(rowLevelSecurityViolation);
    expect((await rejection(post('alice', { authorType: 'ai' }))).code).toBe(rowLevelSecurityViolation);
    expect((await rejection(post('alice', { conversationId: ids.boxes }))).code).toBe(
      rowLevelSecurityViolation,
    );
    const [{ count } = { count: -1 }] = await queryRows<{ count: number }>(
      handle.db,
      sql`select count(*)::int as count from messages where content = 'posted by alice'`,
    );
    expect(count).toBe(0);
  });

  it('an observer reads but cannot post', async () => {
    expect((await visibleTo('carol')).messages).toContain('lease: hello');
    const error = await rejection(post('carol', {}));
    expect(error.code).toBe(rowLevelSecurityViolation);
  });

  it('a participant marks their own row read, and nothing else', async () => {
    const stamp = new Date('2026-01-02T03:04:05Z');
    const updated = await withUser(handle.db, 'bob', (tx) =>
      tx
        .update(conversationParticipants)
        .set({ lastReadAt: stamp })
        .where(eq(conversationParticipants.conversationId, ids.lease))
        .returning({ user: conversationParticipants.userId }),
    );
    expect(updated).toEqual([{ user: 'bob' }]);
    const roleChange = await rejection(
      withUser(handle.db, 'bob', (tx) =>
        tx
          .update(conversationParticipants)
          .set({ role: 'owner' })
          .where(eq(conversationParticipants.userId, 'bob')),
      ),
    );
    expect(roleChange.code).toBe('42501');
    expect(roleChange.message).toContain('permission denied');
  });

  it('cannot create conversations, add participants, or edit and delete messages', async () => {
    const attempts = [
      (tx: Parameters<Parameters<typeof withUser>[2]>[0]) =>
        tx.insert(conversations).values({ moveId: ids.lease, title: 'mine' }),
      (tx: Parameters<Parameters<typeof withUser>[2]>[0]) =>
        tx.insert(conversationParticipants).values({
          conversationId: ids.boxes,
          userId: 'alice',
          participantType: 'employee',
        }),
      (tx: Parameters<Parameters<typeof withUser>[2]>[0]) =>
        tx.update(messages).set({ content: 'edited' }).where(eq(messages.authorId, 'alice')),
      (tx: Parameters<Parameters<typeof withUser>[2]>[0]) =>
        tx.delete(messages).where(eq(messages.authorId, 'alice')),
    ];
    for (const attempt of attempts) {
      const error = await rejection(withUser(handle.db, 'alice', attempt));
      expect(error.message).toContain('permission denied');
    }
  });

  it('switching users on one pooled connection does not leak the previous user', async () => {
    const owner = await sessionState(handle.db);
    expect((await visibleTo('alice')).conversations).toEqual(['lease']);
    expect(await visibleTo('dave')).toEqual({ conversations: [], participants: [], messages: [] });
    expect((await visibleTo('erin')).conversations).toEqual(['other']);
    // A failing callback rolls back its role and user too.
    await expect(
      withUser(handle.db, 'alice', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const after = await sessionState(handle.db);
    expect(after?.role).toBe(owner?.role);
    expect(after?.user_id ?? '').toBe('');
    expect(after?.messages).toBe(owner?.messages);
  });

  it('the owning (migrating) role is unaffected and sees every row', async () => {
    const counts = await queryRows<{ conversations: number; participants: number }>(
      handle.db,
      sql`select (select count(*)::int from conversations) as conversations,
                 (select count(*)::int from conversation_participants) as participants`,
    );
    expect(counts).toEqual([{ conversations: 3, participants: 6 }]);
  });

  it('rejects an empty user id before touching the database', async () => {
    await expect(withUser(handle.db, ' ', async () => 1)).rejects.toThrow('userId must be a non-empty');
  });
});

describe('row-level security in the catalog', () => {
  it('is enabled, not forced, on the three tables', async () => {
    const rows = await queryRows<{ name: string; enabled: boolean; forced: boolean }>(
      handle.db,
      sql`select relname as name, relrowsecurity as enabled, relforcerowsecurity as forced from pg_class
          where relnamespace = 'public'::regnamespace
            and relname in ('conversations', 'conversation_participants', 'messages') order by 1`,
    );
    expect(rows).toEqual([
      { name: 'conversation_participants', enabled: true, forced: false },
      { name: 'conversations', enabled: true, forced: false },
      { name: 'messages', enabled: true, forced: false },
    ]);
  });

  it('the role cannot log in, and the participant checks run as definer with a pinned search_path', async () => {
    const [role] = await queryRows<{ login: boolean; bypass: boolean }>(
      handle.db,
      sql`select rolcanlogin as login, rolbypassrls as bypass from pg_roles where rolname = 'conversations_app'`,
    );
    expect(role).toEqual({ login: false, bypass: false });
    const functions = await queryRows<{ name: string; definer: boolean; config: string[] | null }>(
      handle.db,
      sql`select proname as name, prosecdef as definer, proconfig as config from pg_proc
          where pronamespace = 'conversations_security'::regnamespace and proname like 'current_user_%' order by 1`,
    );
    expect(functions).toEqual([
      { name: 'current_user_conversation_ids', definer: true, config: ['search_path=pg_catalog, pg_temp'] },
      { name: 'current_user_id', definer: false, config: null },
      {
        name: 'current_user_postable_conversation_ids',
        definer: true,
        config: ['search_path=pg_catalog, pg_temp'],
      },
    ]);
    // Nothing of the policies is left in public, where a planted overload could shadow it.
    const inPublic = await queryRows<{ name: string }>(
      handle.db,
      sql`select proname as name from pg_proc
          where pronamespace = 'public'::regnamespace and proname like 'conversations_%user%'`,
    );
    expect(inPublic).toEqual([]);
  });

  it('creating the role again (another database on the same server) is not an error', async () => {
    const migration = readMigrations().find((m) => m.tag.endsWith('_conversations_app_role'));
    const createRole = migration?.statements.find((s) => s.includes('CREATE ROLE'));
    expect(createRole).toBeDefined();
    await handle.db.execute(sql.raw(createRole ?? ''));
    const [{ count } = { count: -1 }] = await queryRows<{ count: number }>(
      handle.db,
      sql`select count(*)::int as count from pg_roles where rolname = 'conversations_app'`,
    );
    expect(count).toBe(1);
  });
});
