import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../src/app/database.js';
import {
  conversationMessagesQuery,
  explainQuery,
  listConversationMessages,
  listMoveConversations,
  listUserConversations,
  type MessageCursor,
  moveConversationsQuery,
  type PlanNode,
  planNodes,
  userConversationsQuery,
} from '../src/app/queries/index.js';
import type { ConversationStatus } from '../src/app/schema/index.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { conversationId, moveId } from './support/numbered-ids.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// A moderate data set: 4,000 conversations in 400 moves, about 25k messages whose times interleave
// across conversations as in real use, 8k participants. Large enough that the planner picks a
// sequential scan whenever no index fits, so the plan assertions below can fail.
let database: TestDatabase;
let handle: DatabaseHandle;
let db: Database;

const numberOf = (id: string) => Number(id.slice(-12));
const bigConversation = conversationId(0);
const statuses: ConversationStatus[] = ['active', 'archived', 'closed'];

beforeAll(async () => {
  database = await createTestDatabase('queries', { at: 'migrated' });
  handle = await database.open();
  db = handle.db;
  // One statement per call: PGlite's extended protocol takes a single statement.
  for (const statement of [
    sql`insert into users (id, email) select 'user-' || i, 'user' || i || '@example.com' from generate_series(1, 50) i`,
    sql`insert into employees (id, email)
      select ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'employee' || i || '@example.com'
      from generate_series(1, 400) i`,
    sql`insert into moves (id, employee_id)
      select ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
             ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid
      from generate_series(1, 400) i`,
    sql`insert into conversations (id, move_id, title, status, created_at, updated_at)
      select ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
             ('20000000-0000-4000-8000-' || lpad((i % 400 + 1)::text, 12, '0'))::uuid,
             'Conversation ' || i,
             (array['active', 'archived', 'closed'])[i % 3 + 1]::conversation_status,
             timestamptz '2024-01-01' + i * interval '1 minute',
             timestamptz '2024-01-01' + i * interval '1 minute'
      from generate_series(0, 3999) i`,
    sql`-- Conversation 0 has 5,000 messages, one a minute, in groups of three sharing a created_at, so
    -- paging must break ties on id. Conversations 1..198 have 100 each over the same span (message n
    -- at n * 50 minutes plus c seconds). Conversations from 199 on have none.
    insert into messages (conversation_id, content, created_at)
      select ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, 'message ' || n,
             case when c = 0 then timestamptz '2024-02-01' + (n / 3) * interval '3 minutes'
                  else timestamptz '2024-02-01' + n * interval '50 minutes' + c * interval '1 second' end
      from generate_series(0, 198) c,
           lateral generate_series(1, case when c = 0 then 5000 else 100 end) n`,
    sql`insert into conversation_participants (conversation_id, participant_type)
      select id, 'ai' from conversations`,
    sql`insert into conversation_participants (conversation_id, user_id, participant_type)
      select ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, 'user-' || (2 + c % 40), 'employee'
      from generate_series(0, 3999) c`,
    sql`-- user-1 takes part in conversations 0..29 and 199 (which has no messages): by c % 3 it never
    -- read (NULL), read up to 2,500 minutes in, or read everything.
    insert into conversation_participants (conversation_id, user_id, participant_type, last_read_at)
      select ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, 'user-1', 'employee',
             case c % 3 when 0 then null
                        when 1 then timestamptz '2024-02-01' + interval '2500 minutes' + c * interval '1 second'
                        else timestamptz '2030-01-01' end
      from (select generate_series(0, 29) union all select 199) s(c)`,
  ]) {
    await db.execute(statement);
  }
  await db.execute(sql`vacuum analyze`);
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<PlanNode[]> {
  return planNodes(await explainQuery(db, query.toSQL(), { format: 'json' }));
}

const indexesIn = (nodes: PlanNode[]) => nodes.map((n) => n['Index Name']).filter(Boolean);
const seqScansOf = (nodes: PlanNode[], table: string) =>
  nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === table);

describe('listConversationMessages', () => {
  it('pages back through a long conversation by keyset, ties included, each message exactly once', async () => {
    const expected = await queryRows<{ id: string }>(
      db,
      sql`select id from messages where conversation_id = ${bigConversation} order by created_at desc, id desc`,
    );
    expect(expected).toHaveLength(5000);
    const seen: string[] = [];
    let before: MessageCursor | undefined;
    let pages = 0;
    do {
      // 500 is not a multiple of 3, so page boundaries fall inside groups of equal created_at.
      const page = await listConversationMessages(db, {
        conversationId: bigConversation,
        limit: 500,
        before,
      });
      seen.push(...page.messages.map((m) => m.id));
      before = page.nextCursor;
      pages++;
    } while (before);
    expect(pages).toBe(10);
    expect(seen).toEqual(expected.map((r) => r.id));
  });

  it('the first page holds the 50 newest messages of that conversation only, and a cursor to the 50th', async () => {
    const page = await listConversationMessages(db, { conversationId: conversationId(7) });
    expect(page.messages).toHaveLength(50);
    expect(page.messages.map((m) => m.content)).toEqual(
      Array.from({ length: 50 }, (_, i) => `message ${100 - i}`),
    );
    expect(page.messages[0]?.createdAt).toEqual(new Date('2024-02-04T11:20:07Z'));
    expect(page.nextCursor).toEqual({ createdAt: expect.any(String), id: page.messages[49]?.id });
  });

  it('an empty conversation gives an empty page without a cursor', async () => {
    expect(await listConversationMessages(db, { conversationId: conversationId(199) })).toEqual({
      messages: [],
      nextCursor: undefined,
    });
  });

  it('rejects a limit that is not a positive integer', async () => {
    await expect(listConversationMessages(db, { conversationId: bigConversation, limit: 0 })).rejects.toThrow(
      /limit must be a positive integer/,
    );
  });

  it('first and next page: an index scan of idx_messages_conversation_created_at, no sort, no seq scan', async () => {
    const first = await listConversationMessages(db, { conversationId: bigConversation });
    expect(first.nextCursor).toBeDefined();
    for (const before of [undefined, first.nextCursor]) {
      const nodes = await planOf(conversationMessagesQuery(db, { conversationId: bigConversation, before }));
      expect(indexesIn(nodes)).toEqual(['idx_messages_conversation_created_at']);
      expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(nodes.map((n) => n['Node Type'])).not.toContain('Incremental Sort');
      expect(seqScansOf(nodes, 'messages')).toEqual([]);
    }
  });
});

describe('listUserConversations', () => {
  it("lists the user's conversations by latest activity, with unread counts after last_read_at", async () => {
    const rows = await listUserConversations(db, { userId: 'user-1' });
    // Conversation c's newest message is at 5,000 minutes + c seconds; conversation 0's at 4,998
    // minutes; conversation 199 has none, so its updated_at (2024-01-01) puts it last.
    expect(rows.map((r) => numberOf(r.id))).toEqual([
      ...Array.from({ length: 29 }, (_, i) => 29 - i),
      0,
      199,
    ]);
    for (const row of rows) {
      const c = numberOf(row.id);
      const total = c === 199 ? 0 : c === 0 ? 5000 : 100;
      // Read up to 2,500 minutes + c seconds: messages 1..50 of a small conversation are read.
      const unread = c % 3 === 0 ? total : c % 3 === 1 ? Math.max(0, total - 50) : 0;
      expect({ c, unread: row.unreadCount }).toEqual({ c, unread });
    }
    expect(rows[0]?.lastMessageAt).toEqual(new Date('2024-02-04T11:20:29Z'));
    expect(rows[29]?.lastMessageAt).toEqual(new Date('2024-02-04T11:18:00Z'));
    expect(rows[30]?.lastMessageAt).toBeNull();
  });

  it('a user in no conversation gets an empty list; limit cuts the list', async () => {
    expect(await listUserConversations(db, { userId: 'user-50' })).toEqual([]);
    expect(
      (await listUserConversations(db, { userId: 'user-1', limit: 3 })).map((r) => numberOf(r.id)),
    ).toEqual([29, 28, 27]);
  });

  it('participant rows by an index on user_id, messages by index only, no seq scan of messages', async () => {
    const nodes = await planOf(userConversationsQuery(db, { userId: 'user-1' }));
    // Either index that starts with user_id: the seed's, or the one the policies' sets read (0017).
    expect(
      indexesIn(nodes).filter(
        (name) => name === 'idx_participants_user_id' || name === 'idx_participants_user_conversation_role',
      ).length,
    ).toBe(1);
    const onMessages = nodes.filter((n) => n['Relation Name'] === 'messages');
    expect(onMessages.length).toBeGreaterThan(0);
    expect(new Set(onMessages.map((n) => `${n['Node Type']} ${n['Index Name']}`))).toEqual(
      new Set(['Index Only Scan idx_messages_conversation_created_at']),
    );
  });
});

describe('listMoveConversations', () => {
  // Move 3 holds conversations i with i % 400 = 2 (2, 402, ..., 3602); status is i % 3, updated_at grows with i.
  const ofMove3 = Array.from({ length: 10 }, (_, k) => 3602 - 400 * k);
  const statusOf = (i: number) => statuses[i % 3];

  it("returns a move's conversations, most recently updated first, in the statuses asked for", async () => {
    const all = await listMoveConversations(db, { moveId: moveId(3) });
    expect(all.map((c) => numberOf(c.id))).toEqual(ofMove3);
    const active = await listMoveConversations(db, { moveId: moveId(3), status: 'active' });
    expect(active.map((c) => numberOf(c.id))).toEqual(ofMove3.filter((i) => statusOf(i) === 'active'));
    expect(active.length).toBeGreaterThan(0);
    const notActive = await listMoveConversations(db, { moveId: moveId(3), status: ['archived', 'closed'] });
    expect(notActive.map((c) => numberOf(c.id))).toEqual(ofMove3.filter((i) => statusOf(i) !== 'active'));
    expect(notActive.map((c) => c.status)).toEqual(notActive.map((c) => statusOf(numberOf(c.id))));
  });

  it('is served by idx_conversations_move_id and touches no messages', async () => {
    const nodes = await planOf(moveConversationsQuery(db, { moveId: moveId(3), status: 'active' }));
    expect(indexesIn(nodes)).toEqual(['idx_conversations_move_id']);
    expect(nodes.filter((n) => n['Relation Name'] === 'messages')).toEqual([]);
  });
});
