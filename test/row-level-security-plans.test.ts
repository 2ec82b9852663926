import { sql, TransactionRollbackError } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type Queryable, queryRows } from '../src/app/database.js';
import {
  conversationMessagesQuery,
  explainQuery,
  listConversationMessages,
  type MessageCursor,
  moveConversationsQuery,
  type PlanNode,
  planNodes,
  userConversationsQuery,
} from '../src/app/queries/index.js';
import { conversationsAppRole } from '../src/app/schema/index.js';
import { type Transaction, withUser } from '../src/app/security/with-user.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { conversationId, moveId } from './support/numbered-ids.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// Issue 17: under row-level security the hot queries must return what they return as the owner (for
// a participant; nothing for anyone else), call the policies' functions once per query rather than
// once per row, and keep every index range. Plans and call counts are asserted, never timings.

let database: TestDatabase;
let handle: DatabaseHandle;
let db: Database;

const moveOf = (n: number) => moveId(n % 200);
const big = conversationId(0);

/** The kinds of user issue 17 measures, each with the conversation a1/a2 read. */
const users = {
  median: { id: 'median', conversation: conversationId(1) },
  many: { id: 'many', conversation: big },
  heavy: { id: 'heavy', conversation: big },
  caughtUp: { id: 'caught-up', conversation: big },
} as const;

beforeAll(async () => {
  database = await createTestDatabase('rls_plans');
  handle = await database.open({ maxConnections: 1 });
  db = handle.db;
  await migrateDatabase(db);
  for (const statement of [
    sql`insert into users (id, email) select id, id || '@example.com'
        from unnest(array['median', 'many', 'heavy', 'caught-up', 'outsider']) id
        union all select 'user-' || i, 'user' || i || '@example.com' from generate_series(1, 40) i`,
    sql`insert into employees (id, email)
        select ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'e' || i || '@example.com'
        from generate_series(0, 199) i`,
    sql`insert into moves (id, employee_id)
        select ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
               ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid
        from generate_series(0, 199) i`,
    sql`insert into conversations (id, move_id, title, updated_at)
        select ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
               ('20000000-0000-4000-8000-' || lpad((i % 200)::text, 12, '0'))::uuid,
               'Conversation ' || i, timestamptz '2024-01-01' + i * interval '1 minute'
        from generate_series(0, 1999) i`,
    sql`-- Conversation 0 holds 4,000 messages; 1..99 hold 40 each; the rest none.
        insert into messages (conversation_id, content, created_at)
        select ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, 'message ' || n,
               timestamptz '2024-02-01' + n * interval '1 minute' + c * interval '1 second'
        from generate_series(0, 99) c, lateral generate_series(1, case when c = 0 then 4000 else 40 end) n`,
    sql`insert into conversation_participants (conversation_id, user_id, participant_type)
        select ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, 'user-' || (1 + c % 40), 'employee'
        from generate_series(0, 1999) c`,
    sql`-- heavy: conversations 0..29, never read. caught-up: the same, all but the 3 newest read.
        insert into conversation_participants (conversation_id, user_id, participant_type, last_read_at)
        select ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, u, 'employee',
               case when u = 'heavy' then null
                    else (select m.created_at from messages m
                          where m.conversation_id = ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid
                          order by m.created_at desc offset 3 limit 1) end
        from generate_series(0, 29) c, unnest(array['heavy', 'caught-up']) u`,
    sql`-- many: every 4th conversation (500), read half way; median: conversations 1..3.
        insert into conversation_participants (conversation_id, user_id, participant_type, role, last_read_at)
        select ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, 'many', 'admin'::participant_type,
               'observer'::participant_role,
               timestamptz '2024-02-01' + interval '20 minutes'
        from generate_series(0, 1999, 4) c
        union all
        select ('00000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, 'median', 'employee', 'participant', null
        from generate_series(1, 3) c`,
    sql`analyze`,
  ]) {
    await db.execute(statement);
  }
  for (const { conversation } of Object.values(users)) {
    cursors.set(
      conversation,
      (await listConversationMessages(db, { conversationId: conversation })).nextCursor,
    );
  }
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

type HotQuery = 'a1' | 'a2' | 'b' | 'c';
const hotQueries: HotQuery[] = ['a1', 'a2', 'b', 'c'];

/** The second page's cursor of each conversation a1/a2 read, taken as the owner in beforeAll. */
const cursors = new Map<string, MessageCursor | undefined>();

/** The query drizzle sends for `query`, as `userId` would ask it (a builder: awaiting it runs it). */
function build(query: HotQuery, on: Queryable & Database, userId: string, conversation: string) {
  const cursor = cursors.get(conversation);
  const number = Number(conversation.slice(-12));
  switch (query) {
    case 'a1':
      return conversationMessagesQuery(on, { conversationId: conversation });
    case 'a2':
      return conversationMessagesQuery(on, { conversationId: conversation, before: cursor });
    case 'b':
      return userConversationsQuery(on, { userId, limit: 1000 });
    case 'c':
      return moveConversationsQuery(on, { moveId: moveOf(number) });
  }
}

/** The rows of `query` as JSON lines, so two runs compare exactly (ids, times, counts). */
async function rowsOf(query: HotQuery, on: Queryable & Database, userId: string, conversation: string) {
  const rows = (await build(query, on, userId, conversation)) as unknown[];
  return rows.map((row) => JSON.stringify(row));
}

/** As the app role with no user set: what a connection that forgot withUser sees. */
function asAppRoleWithoutUser<T>(body: (tx: Transaction<Record<string, unknown>>) => Promise<T>) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_catalog.set_config('role', ${conversationsAppRole.name}, true)`);
    return body(tx as unknown as Transaction<Record<string, unknown>>);
  });
}

describe('the hot queries under row-level security return what they return as the owner', () => {
  for (const [kind, user] of Object.entries(users)) {
    for (const query of hotQueries) {
      it(`${query} for the ${kind} user`, async () => {
        const asOwner = await rowsOf(query, db, user.id, user.conversation);
        const asApp = await withUser(db, user.id, (tx) =>
          rowsOf(query, tx as unknown as Database, user.id, user.conversation),
        );
        if (query === 'c') {
          // A move's conversations: the app role sees those of them the user takes part in.
          const mine = await queryRows<{ id: string }>(
            db,
            sql`select conversation_id as id from conversation_participants where user_id = ${user.id}`,
          );
          const ids = new Set(mine.map((r) => r.id));
          const expected = asOwner.filter((line) => ids.has((JSON.parse(line) as { id: string }).id));
          expect(expected.length).toBeGreaterThan(0);
          expect(asApp).toEqual(expected);
        } else {
          expect(asOwner.length).toBeGreaterThan(0);
          expect(asApp).toEqual(asOwner);
        }
      });
    }
  }

  for (const query of hotQueries) {
    it(`${query}: a non-participant, an unknown user and no user at all see nothing`, async () => {
      expect((await rowsOf(query, db, 'heavy', big)).length).toBeGreaterThan(0);
      for (const userId of ['outsider', 'nobody-at-all']) {
        expect(
          await withUser(db, userId, (tx) => rowsOf(query, tx as unknown as Database, 'heavy', big)),
        ).toEqual([]);
      }
      expect(
        await asAppRoleWithoutUser((tx) => rowsOf(query, tx as unknown as Database, 'heavy', big)),
      ).toEqual([]);
    });
  }
});

const policyFunctions = [
  'conversations_security.current_user_conversation_ids()',
  'conversations_security.current_user_postable_conversation_ids()',
];

/** Calls of the policies' functions while `body` runs as the app role for `userId`; rolled back after. */
async function policyCallsDuring(userId: string, body: (tx: Queryable) => Promise<unknown>): Promise<number> {
  let counted: number | undefined;
  await rolledBack(async (tx) => {
    // SQL functions are counted only with track_functions = all; PostgreSQL keeps counts pending
    // across transactions until it flushes them, so read before and after.
    await tx.execute(sql`set local track_functions = 'all'`);
    const calls = async () => {
      const [row] = await queryRows<{ calls: number }>(
        tx,
        sql`select coalesce(sum(pg_stat_get_xact_function_calls(f::regprocedure)), 0)::int as calls
            from unnest(${`{${policyFunctions.join(',')}}`}::text[]) f`,
      );
      return row?.calls ?? Number.NaN;
    };
    const before = await calls();
    await tx.execute(
      sql`select pg_catalog.set_config('role', ${conversationsAppRole.name}, true), pg_catalog.set_config('app.user_id', ${userId}, true)`,
    );
    await body(tx);
    await tx.execute(sql`reset role`);
    counted = (await calls()) - before;
  });
  if (counted === undefined) throw new Error('policyCallsDuring: nothing counted');
  return counted;
}

/** Runs `body` in a transaction that is always rolled back, so no test leaves rows for another. */
async function rolledBack(body: (tx: Transaction<Record<string, unknown>> & Database) => Promise<void>) {
  await db
    .transaction(async (tx) => {
      await body(tx as unknown as Transaction<Record<string, unknown>> & Database);
      tx.rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error;
    });
}

/** EXPLAIN (ANALYZE, FORMAT JSON) of `query` as the app role for `userId`. */
async function planAsApp(
  query: HotQuery,
  userId: string,
  conversation: string,
  on: Database = db,
): Promise<PlanNode[]> {
  return withUser(on, userId, async (tx) => {
    const sent = build(query, tx as unknown as Database, userId, conversation).toSQL();
    return planNodes(await explainQuery(tx, sent, { analyze: true, format: 'json' }));
  });
}

/** Runs `body` in a transaction that drops `index` first and is rolled back afterwards. */
async function planWithoutIndex<T>(index: string, body: (on: Database) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await rolledBack(async (tx) => {
    await tx.execute(sql`drop index ${sql.identifier(index)}`);
    result = await body(tx);
  });
  if (result === undefined) throw new Error('planWithoutIndex: no result');
  return result;
}

describe('no policy function per row, every range kept (EXPLAIN as the app role)', () => {
  for (const [kind, user] of Object.entries(users)) {
    it(`the ${kind} user: no hot query calls a policy function (0022: the user's own participant rows, read inline)`, async () => {
      for (const query of hotQueries) {
        const calls = await policyCallsDuring(user.id, async (tx) => {
          await build(query, tx as Queryable & Database, user.id, user.conversation);
        });
        expect(calls, `${query} for ${kind}`).toBe(0);
      }
      // The counter counts: the other participants of the user's conversation are not the user's own
      // rows, so the participants policy asks its set for them, once for the query.
      const others = await policyCallsDuring(user.id, async (tx) => {
        await tx.execute(
          sql`select user_id from conversation_participants where conversation_id = ${user.conversation}`,
        );
      });
      expect(others, kind).toBe(1);
    });
  }

  it('the conversation sets are PL/pgSQL: one call returns the whole set, its plan kept for the session', async () => {
    // As SQL functions (SECURITY DEFINER with a SET clause, so never inlined) they were planned again
    // on every query and run value-per-call, switching user and search_path once per returned row.
    const functions = await queryRows<{ name: string; language: string; definer: boolean; config: string[] }>(
      db,
      sql`select p.proname as name, l.lanname as language, p.prosecdef as definer, p.proconfig as config
          from pg_proc p join pg_language l on l.oid = p.prolang
          where p.oid = any (${`{${policyFunctions.join(',')}}`}::regprocedure[]) order by 1`,
    );
    expect(functions).toEqual(
      ['current_user_conversation_ids', 'current_user_postable_conversation_ids'].map((name) => ({
        name,
        language: 'plpgsql',
        definer: true,
        config: ['search_path=pg_catalog, pg_temp'],
      })),
    );
  });

  it('the conversation sets read idx_participants_user_conversation_role alone: no heap page per conversation', async () => {
    // The sets' one call per query and table was the app role's whole fixed cost on the page queries:
    // through idx_participants_user_id each of the user's participant rows cost a heap page. Their own
    // query, taken from the function bodies, planned and run as the functions run it (the current user
    // set, as the owner): an index-only scan that fetches nothing from the heap once the table is
    // vacuumed (the visibility map is what an index-only scan trusts; autovacuum keeps it current).
    await db.execute(sql`vacuum analyze conversation_participants`);
    const bodies = await queryRows<{ name: string; body: string }>(
      db,
      sql`select p.proname as name, p.prosrc as body from pg_proc p
          where p.oid = any (${`{${policyFunctions.join(',')}}`}::regprocedure[]) order by 1`,
    );
    expect(bodies.map((b) => b.name)).toEqual([
      'current_user_conversation_ids',
      'current_user_postable_conversation_ids',
    ]);
    for (const { name, body } of bodies) {
      const query = /RETURN QUERY\s+(SELECT[^;]+?)\s*;/i.exec(body)?.[1];
      expect(query, name).toBeDefined();
      const nodes = await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_catalog.set_config('app.user_id', ${users.many.id}, true)`);
        return planNodes(
          await explainQuery(tx, { sql: query ?? '', params: [] }, { analyze: true, format: 'json' }),
        );
      });
      const scans = nodes.filter((n) => n['Relation Name'] === 'conversation_participants');
      expect(
        scans.map((n) => `${n['Node Type']} ${n['Index Name']}`),
        name,
      ).toEqual(['Index Only Scan idx_participants_user_conversation_role']);
      expect(scans[0]?.['Heap Fetches'], name).toBe(0);
      // The many user takes part in 500 conversations (as an observer: none of them postable).
      expect(scans[0]?.['Actual Rows'], name).toBe(name === 'current_user_conversation_ids' ? 500 : 0);
    }
  });

  it('inserting a message calls the post check once', async () => {
    const calls = await policyCallsDuring('heavy', (tx) =>
      tx.execute(
        sql`insert into messages (conversation_id, author_id, content) values (${big}, 'heavy', 'counted')`,
      ),
    );
    expect(calls).toBe(1);
  });

  it('every policy subplan runs at most once per query (hashed), whatever the rows it filters', async () => {
    for (const query of hotQueries) {
      const nodes = await planAsApp(query, 'heavy', big);
      const subplans = nodes.filter((n) => n['Parent Relationship'] === 'SubPlan');
      expect(subplans.length, query).toBeGreaterThan(0);
      // Once, or never: b's participants policy passes the user's own rows without its set, and the
      // heavy user's unread counts read no message (see the tests below).
      expect(
        subplans.some((n) => n['Actual Loops'] === 1),
        query,
      ).toBe(true);
      for (const node of subplans)
        expect({ query, loops: node['Actual Loops'] }).toEqual({
          query,
          loops: node['Actual Loops'] === 0 ? 0 : 1,
        });
      const filters = nodes.map((n) => n.Filter).filter((f): f is string => typeof f === 'string');
      for (const filter of filters.filter((f) => f.includes('SubPlan')))
        expect(filter).toMatch(/hashed SubPlan/);
    }
  });

  it('b: the unread count is an index range from last_read_at, not a walk of every message', async () => {
    // The caught-up user has 3 unread messages per conversation: the count reads those 3, from the
    // index, with the range as its index condition (under RLS coalesce() would be a filter instead).
    // On this small data set the planner may prefer idx_messages_conversation_id plus a filter (it
    // costs about the same here); without that index the only way left to keep the range is the
    // index condition, and RLS allows it only for a leakproof expression.
    const nodes = await planWithoutIndex('idx_messages_conversation_id', (on) =>
      planAsApp('b', users.caughtUp.id, big, on),
    );
    const unread = nodes.filter(
      (n) =>
        n['Index Name'] === 'idx_messages_conversation_created_at' &&
        String(n['Index Cond'] ?? '').includes('created_at >'),
    );
    expect(unread.length).toBe(1);
    expect(String(unread[0]?.Filter ?? '')).not.toContain('created_at');
    expect(Number(unread[0]?.['Actual Rows'])).toBeLessThanOrEqual(3);
    // The heavy user never read: every message is unread and counted, but through an index.
    const heavy = await planAsApp('b', users.heavy.id, big);
    expect(heavy.filter((n) => n['Relation Name'] === 'messages').map((n) => n['Node Type'])).not.toContain(
      'Seq Scan',
    );
  });

  it('b for a user who never read: the unread counts read no message, and the list calls no set', async () => {
    // The heavy user's 30 conversations, 4,000 messages in one of them: the count of a never-read
    // conversation is its message_count, so the messages scan is never started (a one-time filter on
    // last_read_at); the participants policy passes the user's own rows without calling the set, and the
    // conversations' and messages' policies read those rows inline (0022).
    const nodes = await planAsApp('b', users.heavy.id, big);
    const messageScans = nodes.filter((n) => n['Relation Name'] === 'messages');
    expect(messageScans.length).toBe(1);
    expect(messageScans[0]?.['Actual Loops']).toBe(0);
    const participantScans = nodes.filter((n) => n['Relation Name'] === 'conversation_participants');
    // The user's 30 rows, read by the list itself and by the conversations policy (0022, inline); the
    // messages policy's read of them never runs, as the messages scan never starts.
    expect(participantScans.map((n) => [n['Actual Rows'], n['Actual Loops']])).toEqual([
      [30, 1],
      [30, 1],
      [0, 0],
    ]);
    expect(
      await policyCallsDuring(users.heavy.id, (tx) =>
        build('b', tx as Queryable & Database, users.heavy.id, big),
      ),
    ).toBe(0);
    // The caught-up user read: their counts are index ranges (the test above), and still no set call.
    expect(
      await policyCallsDuring(users.caughtUp.id, (tx) =>
        build('b', tx as Queryable & Database, users.caughtUp.id, big),
      ),
    ).toBe(0);
  });

  it('b: every unread count equals the messages after last_read_at counted one by one', async () => {
    // What the query computed before message_count (issue 17), for every participant row, as the
    // owner; the list's counts, as the owner and as the app role, must be exactly these.
    const expected = await queryRows<{ user: string; id: string; unread: number }>(
      db,
      sql`select p.user_id as "user", p.conversation_id as id,
                 (select count(*)::int from messages m where m.conversation_id = p.conversation_id
                    and m.created_at > coalesce(p.last_read_at, '-infinity')) as unread
          from conversation_participants p where p.user_id = any (${`{${Object.values(users)
            .map((u) => u.id)
            .join(',')}}`}::text[])`,
    );
    expect(expected.some((r) => r.unread === 4000)).toBe(true);
    for (const user of Object.values(users)) {
      const mine = Object.fromEntries(
        expected.filter((r) => r.user === user.id).map((r) => [r.id, r.unread]),
      );
      const counts = (rows: unknown[]) =>
        Object.fromEntries(
          (rows as { id: string; unreadCount: unknown }[]).map((r) => [r.id, Number(r.unreadCount)]),
        );
      expect(counts(await build('b', db, user.id, big)), user.id).toEqual(mine);
      expect(
        counts(
          await withUser(
            db,
            user.id,
            async (tx): Promise<unknown[]> => await build('b', tx as unknown as Database, user.id, big),
          ),
        ),
        user.id,
      ).toEqual(mine);
    }
  });

  it('a1 and a2: one index range on (conversation_id, created_at, id), the keyset in the index condition', async () => {
    for (const query of ['a1', 'a2'] as const) {
      const nodes = await planAsApp(query, 'heavy', big);
      const scans = nodes.filter((n) => n['Relation Name'] === 'messages');
      expect(scans.map((n) => `${n['Node Type']} ${n['Index Name']}`)).toEqual([
        'Index Scan idx_messages_conversation_created_at',
      ]);
      expect(Number(scans[0]?.['Actual Rows'])).toBeLessThanOrEqual(51);
      if (query === 'a2') expect(String(scans[0]?.['Index Cond'])).toMatch(/ROW\(created_at, id\) </);
    }
  });
});
