import os from 'node:os';
import { sql } from 'drizzle-orm';
import { type Database, type Queryable, queryRows } from '../src/app/database.js';
import { executePrepared, type PreparableQuery } from '../src/app/prepared.js';
import {
  conversationMessagesQuery,
  listConversationMessages,
  type MessageCursor,
  moveConversationsQuery,
  type SentQuery,
  userConversationsQuery,
} from '../src/app/queries/index.js';
import { messages } from '../src/app/schema/index.js';
import { withUser, withUserStatement } from '../src/app/security/with-user.js';
import { openDatabase } from '../src/operator/connect.js';
import { preparedServerStatementMs } from './lib/prepared-server-time.js';
import type { BenchServer } from './lib/server.js';
import { percentile } from './lib/stats.js';
import { benchWideUser, type WideUserRow } from './rls-wide.js';

/** The kinds of user issue 17 asks about, each picked from the data by a rule (see pickUsers). */
export type UserKind = 'median' | 'many' | 'heavy' | 'caughtUp';

export const userKindTitles: Record<UserKind, string> = {
  median: 'median user',
  many: 'user in the most conversations',
  heavy: 'heavy user (in a largest conversation, never read)',
  caughtUp: 'caught-up user (in a largest conversation, 3 unread per conversation)',
};

interface PickedUser {
  kind: UserKind;
  id: string;
  conversations: number;
  /** The user's conversation with the most messages: what a1/a2 read. */
  biggest: { id: string; messages: number; moveId: string };
  cursor: MessageCursor | undefined;
}

export interface Timing {
  p50: number;
  p95: number;
}

export interface RlsRow {
  query: string;
  title: string;
  user: UserKind;
  userConversations: number;
  /** Client time of the statement as the owner (for the insert: with its autocommit). */
  owner: Timing;
  /** Client time of the statement alone, inside withUser (what the policies cost). */
  app: Timing;
  /** withUser end to end: BEGIN, the statement with set_config pipelined ahead of it, COMMIT (two round trips). */
  appTotal: Timing;
  /** withUserStatement end to end: BEGIN, set_config, the statement and COMMIT in one round trip. */
  appOneTrip: Timing;
  /** The server's own time (EXPLAIN ANALYZE, TIMING OFF, of the prepared statement), owner and app role. */
  server: { owner: Timing; app: Timing };
  /** Calls of the policy functions per execution, from pg_stat_get_xact_function_calls. */
  policyCalls: number;
}

export interface RlsResult {
  runs: number;
  /** The 1-minute load average when the rounds began and when they ended (other engineers' runs). */
  load: { start: number; end: number };
  warmUp: number;
  /** The newest-50 query for one user in more and more conversations (bench/rls-wide.ts). */
  wide: WideUserRow[];
  users: { kind: UserKind; id: string; conversations: number; biggestMessages: number }[];
  rows: RlsRow[];
}

const policyFunctions = [
  'conversations_security.current_user_conversation_ids()',
  'conversations_security.current_user_postable_conversation_ids()',
];

/**
 * Picks one user of each kind, deterministically. The heavy and caught-up users are participants of
 * two different largest conversations; their last_read_at is set here (never read / all but the
 * newest three messages of each of their conversations), as issue 17 measured them.
 */
async function pickUsers(db: Database): Promise<PickedUser[]> {
  const counts = await queryRows<{ id: string; n: number }>(
    db,
    sql`select user_id as id, count(*)::int as n from conversation_participants where user_id is not null
        group by user_id order by count(*), user_id`,
  );
  const median = counts[Math.floor(counts.length / 2)];
  const many = counts.at(-1);
  const big = await queryRows<{ id: string }>(
    db,
    sql`select conversation_id as id from messages group by conversation_id order by count(*) desc, conversation_id limit 2`,
  );
  const inBig = async (conversationId: string | undefined, not: string[]) => {
    const [row] = await queryRows<{ id: string }>(
      db,
      sql`select p.user_id as id from conversation_participants p
          where p.conversation_id = ${conversationId ?? null} and p.user_id is not null
            and not (p.user_id = any(${`{${not.join(',')}}`}::text[]))
          order by (select count(*) from conversation_participants q where q.user_id = p.user_id) desc, p.user_id
          limit 1`,
    );
    return row?.id;
  };
  const taken = [median?.id ?? '', many?.id ?? ''];
  const heavy = await inBig(big[0]?.id, taken);
  const caughtUp = await inBig(big[1]?.id, [...taken, heavy ?? '']);
  if (!median || !many || !heavy || !caughtUp) throw new Error('bench: the data set has too few users');
  await db.execute(sql`update conversation_participants set last_read_at = null where user_id = ${heavy}`);
  await db.execute(sql`
    update conversation_participants p set last_read_at = (
      select m.created_at from messages m where m.conversation_id = p.conversation_id
      order by m.created_at desc, m.id desc offset 3 limit 1)
    where p.user_id = ${caughtUp}`);
  await db.execute(sql`analyze conversation_participants`);
  const picked: PickedUser[] = [];
  for (const [kind, id] of [
    ['median', median.id],
    ['many', many.id],
    ['heavy', heavy],
    ['caughtUp', caughtUp],
  ] as const) {
    const [biggest] = await queryRows<{ id: string; messages: number; moveId: string }>(
      db,
      sql`select c.id, c.move_id as "moveId",
                 (select count(*)::int from messages m where m.conversation_id = c.id) as messages
          from conversation_participants p join conversations c on c.id = p.conversation_id
          where p.user_id = ${id} order by 3 desc, c.id limit 1`,
    );
    const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from conversation_participants where user_id = ${id}`,
    );
    if (!biggest) throw new Error(`bench: user ${id} has no conversation`);
    const page = await listConversationMessages(db, { conversationId: biggest.id });
    picked.push({ kind, id, conversations: n, biggest, cursor: page.nextCursor });
  }
  return picked;
}

/** What a case builds: a drizzle query whose text and parameters toSQL() gives, and that can be prepared. */
type Built = { toSQL(): SentQuery } & PreparableQuery<unknown>;

interface Case {
  key: string;
  title: string;
  build: (db: Queryable & Database, user: PickedUser) => Built;
}

const cases: Case[] = [
  {
    key: 'a1',
    title: 'newest 50 messages of the user’s largest conversation',
    build: (db, u) => conversationMessagesQuery(db, { conversationId: u.biggest.id }),
  },
  {
    key: 'a2',
    title: 'the next page of 50 (keyset)',
    build: (db, u) => conversationMessagesQuery(db, { conversationId: u.biggest.id, before: u.cursor }),
  },
  {
    key: 'b',
    title: 'listUserConversations',
    build: (db, u) => userConversationsQuery(db, { userId: u.id }),
  },
  {
    key: 'c',
    title: 'a move’s active conversations',
    build: (db, u) => moveConversationsQuery(db, { moveId: u.biggest.moveId, status: 'active' }),
  },
  {
    key: 'insert',
    title: 'insert a message',
    build: (db, u) =>
      db.insert(messages).values({ conversationId: u.biggest.id, authorId: u.id, content: 'bench insert' }),
  },
];

/** Runs both, `first` first when `firstFirst`, and returns their results in the order given. */
async function inTurn<A, B>(
  firstFirst: boolean,
  first: () => Promise<A>,
  second: () => Promise<B>,
): Promise<[A, B]> {
  if (firstFirst) {
    const a = await first();
    return [a, await second()];
  }
  const b = await second();
  return [await first(), b];
}

const summary = (samples: number[]): Timing => ({
  p50: percentile(samples, 50),
  p95: percentile(samples, 95),
});

/**
 * Every hot query and a message insert, for each kind of user, as the table owner and as the app role
 * through withUser, interleaved run by run so load on the machine hits both alike.
 */
export async function benchRowLevelSecurity(
  server: BenchServer,
  name: string,
  runs: number,
  warmUp = 20,
): Promise<RlsResult> {
  const handle = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
  const { db } = handle;
  // The app role on a connection of its own, as an app's pool would be: PostgreSQL keeps a prepared
  // statement's plan per role under row-level security, so sharing one connection with the owner
  // would make both plan every statement again at each switch.
  const appHandle = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
  const appDb = appHandle.db;
  try {
    const users = await pickUsers(db);
    const loadAtStart = os.loadavg()[0] ?? Number.NaN;
    // pg_stat_get_xact_function_calls counts SQL functions only when track_functions = all (superuser).
    await db.execute(sql`set track_functions = 'all'`);
    const rows: RlsRow[] = [];
    for (const user of users) {
      for (const c of cases) {
        const samples = {
          owner: [] as number[],
          app: [] as number[],
          appTotal: [] as number[],
          appOneTrip: [] as number[],
        };
        const server = { owner: [] as number[], app: [] as number[] };
        const asOwner = async () => {
          const t0 = performance.now();
          // Prepared, as the package's query functions and postMessage send it (src/app/prepared.ts).
          await executePrepared(c.build(db, user), `bench_${c.key}`);
          return performance.now() - t0;
        };
        const asApp = async () => {
          let statementMs = 0;
          const t0 = performance.now();
          await withUser(appDb, user.id, async (tx) => {
            const t1 = performance.now();
            await executePrepared(c.build(tx as unknown as Database, user), `bench_${c.key}`);
            statementMs = performance.now() - t1;
          });
          return { statementMs, totalMs: performance.now() - t0 };
        };
        const asAppInOneTrip = async () => {
          const t0 = performance.now();
          await withUserStatement(appDb, user.id, (tx) =>
            executePrepared(c.build(tx as unknown as Database, user), `bench_${c.key}`),
          );
          return performance.now() - t0;
        };
        // One statement per query and user: a user without a second page sends a2 without its cursor.
        const serverName = `bench_server_${c.key}_${user.kind}`.toLowerCase();
        const serverAsOwner = () => preparedServerStatementMs(db, serverName, c.build(db, user).toSQL());
        const serverAsApp = () =>
          withUser(appDb, user.id, (tx) =>
            preparedServerStatementMs(tx, serverName, c.build(tx as unknown as Database, user).toSQL()),
          );
        for (let i = 0; i < runs + warmUp; i++) {
          // Owner and app role take turns going first, so neither always meets a cache the other warmed
          // or the load the other left; server time is measured in the same rounds.
          const ownerFirst = i % 2 === 0;
          const [ownerMs, app] = await inTurn(ownerFirst, asOwner, asApp);
          const oneTripMs = await asAppInOneTrip();
          const [serverOwnerMs, serverAppMs] = await inTurn(ownerFirst, serverAsOwner, serverAsApp);
          if (i < warmUp) continue;
          samples.owner.push(ownerMs);
          samples.app.push(app.statementMs);
          samples.appTotal.push(app.totalMs);
          samples.appOneTrip.push(oneTripMs);
          server.owner.push(serverOwnerMs);
          server.app.push(serverAppMs);
        }
        rows.push({
          query: c.key,
          title: c.title,
          user: user.kind,
          userConversations: user.conversations,
          owner: summary(samples.owner),
          app: summary(samples.app),
          appTotal: summary(samples.appTotal),
          appOneTrip: summary(samples.appOneTrip),
          server: { owner: summary(server.owner), app: summary(server.app) },
          policyCalls: await countPolicyCalls(db, c, user),
        });
      }
    }
    const load = { start: loadAtStart, end: os.loadavg()[0] ?? Number.NaN };
    return {
      runs,
      load,
      warmUp,
      wide: await benchWideUser(server, Math.min(runs, 50)),
      users: users.map((u) => ({
        kind: u.kind,
        id: u.id,
        conversations: u.conversations,
        biggestMessages: u.biggest.messages,
      })),
      rows,
    };
  } finally {
    await appHandle.close();
    await handle.close();
  }
}

async function countPolicyCalls(db: Database, c: Case, user: PickedUser): Promise<number> {
  // PostgreSQL 15 keeps a backend's function counts pending across transactions until it flushes
  // them, so the "xact" figure is read before and after, as the owner, around one execution.
  const calls = async (tx: Queryable) => {
    const [row] = await queryRows<{ calls: number }>(
      tx,
      sql`select coalesce(sum(pg_stat_get_xact_function_calls(f::regprocedure)), 0)::int as calls
          from unnest(${`{${policyFunctions.join(',')}}`}::text[]) f`,
    );
    return row?.calls ?? Number.NaN;
  };
  return withUser(db, user.id, async (tx) => {
    await tx.execute(sql`reset role`);
    const before = await calls(tx);
    await tx.execute(sql`select pg_catalog.set_config('role', 'conversations_app', true)`);
    await c.build(tx as unknown as Database, user);
    await tx.execute(sql`reset role`);
    return (await calls(tx)) - before;
  });
}
