import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Queryable, queryRows } from '../src/app/database.js';
import { listUserConversations } from '../src/app/queries/user-conversations.js';
import { conversationParticipants, conversations, messages, users } from '../src/app/schema/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { postMessage } from '../src/app/writes/post-message.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { insertMoveWithOwner } from './support/host-rows.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

// Issue 15 item 6: a new message moves its conversation's last_message_at (whoever inserts it, one
// row or many), deleting or moving the newest message recomputes it, an activity bump is not an
// edit (updated_at stays), and listUserConversations orders by it. Both modes.

let database: TestDatabase;
let handle: DatabaseHandle;
let moveId = '';

const at = (iso: string) => new Date(iso);

async function newConversation(title: string, userId = 'ann'): Promise<string> {
  const [row] = await handle.db.insert(conversations).values({ moveId, title }).returning();
  if (!row) throw new Error('no conversation');
  await handle.db
    .insert(conversationParticipants)
    .values({ conversationId: row.id, userId, participantType: 'employee' });
  return row.id;
}

async function activityOf(ids: string[]) {
  const rows = await handle.db
    .select({
      id: conversations.id,
      lastMessageAt: conversations.lastMessageAt,
      updatedAt: conversations.updatedAt,
    })
    .from(conversations)
    .where(inArray(conversations.id, ids));
  return Object.fromEntries(rows.map((r) => [r.id, r]));
}

/** Each conversation's kept message_count and its messages counted one by one. */
async function messageCounts(db: Queryable, ids: string[]) {
  const rows = await queryRows<{ id: string; kept: number; counted: number }>(
    db,
    sql`select c.id, c.message_count::int as kept,
               (select count(*)::int from messages m where m.conversation_id = c.id) as counted
        from conversations c where c.id = any (${`{${ids.join(',')}}`}::uuid[])`,
  );
  return Object.fromEntries(rows.map(({ id, kept, counted }) => [id, { kept, counted }]));
}

beforeAll(async () => {
  database = await createTestDatabase('activity');
  handle = await database.open({ maxConnections: 1 });
  await migrateDatabase(handle.db);
  moveId = (await insertMoveWithOwner(handle.db, 'activity')).move.id;
  await handle.db.insert(users).values({ id: 'ann', email: 'ann-activity@example.com' });
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('conversations.last_message_at', () => {
  it('one INSERT of many messages into several conversations sets each to its newest, and never moves it back', async () => {
    const [a, b] = [await newConversation('a'), await newConversation('b')];
    const before = await activityOf([a, b]);
    await handle.db.insert(messages).values([
      { conversationId: a, authorType: 'ai', content: '1', createdAt: at('2024-05-01T10:00:00Z') },
      { conversationId: a, authorType: 'ai', content: '2', createdAt: at('2024-05-01T12:00:00Z') },
      { conversationId: b, authorType: 'ai', content: '3', createdAt: at('2024-05-02T09:00:00Z') },
    ]);
    let now = await activityOf([a, b]);
    expect([now[a]?.lastMessageAt, now[b]?.lastMessageAt]).toEqual([
      at('2024-05-01T12:00:00Z'),
      at('2024-05-02T09:00:00Z'),
    ]);
    // An activity bump is not an edit of the conversation.
    expect([now[a]?.updatedAt, now[b]?.updatedAt]).toEqual([before[a]?.updatedAt, before[b]?.updatedAt]);

    // An older message (a moved legacy row, a late commit) does not move it back.
    await handle.db
      .insert(messages)
      .values({ conversationId: a, authorType: 'ai', content: 'old', createdAt: at('2020-01-01T00:00:00Z') });
    now = await activityOf([a]);
    expect(now[a]?.lastMessageAt).toEqual(at('2024-05-01T12:00:00Z'));
  });

  it('deleting the newest message, or moving it in time, recomputes from what is left; the last one gone is NULL', async () => {
    const c = await newConversation('c');
    const rows = await handle.db
      .insert(messages)
      .values([
        { conversationId: c, authorType: 'ai', content: 'x', createdAt: at('2024-06-01T00:00:00Z') },
        { conversationId: c, authorType: 'ai', content: 'y', createdAt: at('2024-06-02T00:00:00Z') },
      ])
      .returning();
    const [older, newer] = rows;
    if (!older || !newer) throw new Error('no messages');
    await handle.db.delete(messages).where(eq(messages.id, newer.id));
    expect((await activityOf([c]))[c]?.lastMessageAt).toEqual(at('2024-06-01T00:00:00Z'));
    await handle.db
      .update(messages)
      .set({ createdAt: at('2024-07-01T00:00:00Z') })
      .where(eq(messages.id, older.id));
    expect((await activityOf([c]))[c]?.lastMessageAt).toEqual(at('2024-07-01T00:00:00Z'));
    await handle.db.delete(messages).where(eq(messages.id, older.id));
    expect((await activityOf([c]))[c]?.lastMessageAt).toBeNull();
  });

  it('moving a message to another conversation recomputes both', async () => {
    const [from, to] = [await newConversation('from'), await newConversation('to')];
    const [moved] = await handle.db
      .insert(messages)
      .values({ conversationId: from, authorType: 'ai', content: 'm', createdAt: at('2024-08-01T00:00:00Z') })
      .returning();
    await handle.db
      .update(messages)
      .set({ conversationId: to })
      .where(eq(messages.id, moved?.id ?? ''));
    const now = await activityOf([from, to]);
    expect([now[from]?.lastMessageAt, now[to]?.lastMessageAt]).toEqual([null, at('2024-08-01T00:00:00Z')]);
  });

  it('the app role’s post moves it (the trigger runs as its owner), and any other UPDATE still stamps updated_at', async () => {
    const d = await newConversation('d');
    const posted = await withUser(handle.db, 'ann', (tx) =>
      postMessage(tx, { conversationId: d, authorId: 'ann', content: 'hello' }),
    );
    const bumped = (await activityOf([d]))[d];
    expect(bumped?.lastMessageAt).toEqual(posted.createdAt);
    await handle.db.update(conversations).set({ title: 'd renamed' }).where(eq(conversations.id, d));
    const edited = (await activityOf([d]))[d];
    expect(edited?.updatedAt.getTime()).toBeGreaterThan(
      bumped?.updatedAt.getTime() ?? Number.POSITIVE_INFINITY,
    );
    expect(edited?.lastMessageAt).toEqual(posted.createdAt);
  });
});

describe('conversations.message_count (issue 17: the unread count of a participant who never read)', () => {
  it('follows every insert, delete, move between conversations and rollback, and a count bump is not an edit', async () => {
    const [a, b] = [await newConversation('count a'), await newConversation('count b')];
    const before = await activityOf([a, b]);
    const inserted = await handle.db
      .insert(messages)
      .values([
        { conversationId: a, authorType: 'ai', content: '1', createdAt: at('2024-05-01T10:00:00Z') },
        { conversationId: a, authorType: 'ai', content: '2', createdAt: at('2024-05-01T12:00:00Z') },
        { conversationId: b, authorType: 'ai', content: '3', createdAt: at('2024-05-02T09:00:00Z') },
      ])
      .returning();
    expect(await messageCounts(handle.db, [a, b])).toEqual({
      [a]: { kept: 2, counted: 2 },
      [b]: { kept: 1, counted: 1 },
    });
    // An older message (the move's) counts too, and leaves updated_at alone like the activity bump.
    await handle.db
      .insert(messages)
      .values({ conversationId: b, authorType: 'ai', content: 'old', createdAt: at('2020-01-01T00:00:00Z') });
    const now = await activityOf([a, b]);
    expect([now[a]?.updatedAt, now[b]?.updatedAt]).toEqual([before[a]?.updatedAt, before[b]?.updatedAt]);
    expect(now[b]?.lastMessageAt).toEqual(at('2024-05-02T09:00:00Z'));
    // One moved from a to b, one deleted from a.
    await handle.db
      .update(messages)
      .set({ conversationId: b })
      .where(eq(messages.id, inserted[0]?.id ?? ''));
    expect(await messageCounts(handle.db, [a, b])).toEqual({
      [a]: { kept: 1, counted: 1 },
      [b]: { kept: 3, counted: 3 },
    });
    await handle.db.delete(messages).where(eq(messages.id, inserted[1]?.id ?? ''));
    expect(await messageCounts(handle.db, [a, b])).toEqual({
      [a]: { kept: 0, counted: 0 },
      [b]: { kept: 3, counted: 3 },
    });
    // A rolled-back insert leaves no count behind.
    await handle.db
      .transaction(async (tx) => {
        await tx.insert(messages).values({ conversationId: a, authorType: 'ai', content: 'undone' });
        tx.rollback();
      })
      .catch(() => undefined);
    expect(await messageCounts(handle.db, [a])).toEqual({ [a]: { kept: 0, counted: 0 } });
  });

  it.skipIf(!hasServer)(
    `the app role’s posts count, concurrent posts into one conversation included ${serverOnlyReason}`,
    async () => {
      const c = await newConversation('count posts');
      const pool = await database.open({ maxConnections: 4 });
      try {
        await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            withUser(pool.db, 'ann', (tx) =>
              postMessage(tx, { conversationId: c, authorId: 'ann', content: `p${i}` }),
            ),
          ),
        );
      } finally {
        await pool.close();
      }
      expect(await messageCounts(handle.db, [c])).toEqual({ [c]: { kept: 12, counted: 12 } });
      const [listed] = await listUserConversations(handle.db, { userId: 'ann', limit: 1 });
      expect([listed?.id, listed?.unreadCount]).toEqual([c, 12]);
    },
  );

  it('a TRUNCATE of messages (the owner’s) empties every count and last_message_at', async () => {
    const other = await createTestDatabase('activity_truncate');
    const h = await other.open({ maxConnections: 1 });
    try {
      await migrateDatabase(h.db);
      const { move } = await insertMoveWithOwner(h.db, 'truncate');
      const [conversation] = await h.db.insert(conversations).values({ moveId: move.id }).returning();
      const id = conversation?.id ?? '';
      await h.db.insert(messages).values({ conversationId: id, authorType: 'ai', content: 't' });
      expect(await messageCounts(h.db, [id])).toEqual({ [id]: { kept: 1, counted: 1 } });
      await h.db.execute(sql`truncate messages`);
      expect(await messageCounts(h.db, [id])).toEqual({ [id]: { kept: 0, counted: 0 } });
      const [row] = await h.db.select().from(conversations).where(eq(conversations.id, id));
      expect(row?.lastMessageAt).toBeNull();
    } finally {
      await h.close();
      await other.drop();
    }
  });
});

describe('listUserConversations orders by activity', () => {
  it('a conversation with a new message comes first; one without messages ranks by updated_at', async () => {
    await handle.db.insert(users).values({ id: 'lou', email: 'lou@example.com' });
    const quiet = await newConversation('quiet', 'lou');
    const busy = await newConversation('busy', 'lou');
    await newConversation('empty', 'lou');
    await handle.db.insert(messages).values([
      { conversationId: quiet, authorType: 'ai', content: 'q', createdAt: at('2024-01-01T00:00:00Z') },
      { conversationId: busy, authorType: 'ai', content: 'b', createdAt: at('2024-01-02T00:00:00Z') },
    ]);
    // empty's updated_at is now, after both messages: it ranks first until quiet gets a newer message.
    const order = async () => (await listUserConversations(handle.db, { userId: 'lou' })).map((c) => c.title);
    expect(await order()).toEqual(['empty', 'busy', 'quiet']);
    await handle.db.insert(messages).values({ conversationId: quiet, authorType: 'ai', content: 'q2' });
    expect(await order()).toEqual(['quiet', 'empty', 'busy']);
    const [first] = await listUserConversations(handle.db, { userId: 'lou' });
    expect(first?.lastMessageAt).toBeInstanceOf(Date);
  });
});

describe('the migration backfills conversations that already hold messages', () => {
  it('a database migrated to the column, with messages, gets each conversation’s newest from the trigger migration', async () => {
    const other = await createTestDatabase('activity_backfill');
    const h = await other.open({ maxConnections: 1 });
    try {
      const tags = readMigrations().map((m) => m.tag);
      const column = tags.find((t) => t.endsWith('_conversations_last_message_at'));
      await migrateDatabase(h.db, { to: column });
      const { move } = await insertMoveWithOwner(h.db, 'backfill');
      // Raw SQL: the schema's insert would name columns later migrations add.
      const [conversation] = await queryRows<{ id: string }>(
        h.db,
        sql`insert into conversations (move_id) values (${move.id}::uuid) returning id`,
      );
      const id = conversation?.id ?? '';
      await h.db.execute(sql`insert into messages (conversation_id, author_type, content, created_at)
        values (${id}::uuid, 'ai', '1', '2023-03-03T03:03:03Z'), (${id}::uuid, 'ai', '2', '2023-01-01T00:00:00Z')`);
      const lastMessageAt = async (db: Queryable) =>
        (
          await queryRows<{ at: string | null }>(
            db,
            sql`select last_message_at::text as at from conversations where id = ${id}::uuid`,
          )
        )[0]?.at;
      expect(await lastMessageAt(h.db)).toBeNull();
      await migrateDatabase(h.db);
      expect(await lastMessageAt(h.db)).toBe('2023-03-03 03:03:03+00');
      // And its message_count, added later, from the count's trigger migration.
      expect(await messageCounts(h.db, [id])).toEqual({ [id]: { kept: 2, counted: 2 } });
    } finally {
      await h.close();
      await other.drop();
    }
  });
});
