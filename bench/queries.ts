import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../src/app/database.js';
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
import { tableNamesWithRole } from '../src/app/schema/tables.js';
import { type DatabaseHandle, openDatabase } from '../src/operator/connect.js';
import type { BenchServer } from './lib/server.js';
import { percentile } from './lib/stats.js';

/** The indexes seed 000 does not have; dropped in the baseline copy. */
export const addedIndexes = ['idx_messages_conversation_created_at'] as const;

interface SentBuilder {
  toSQL(): { sql: string; params: unknown[] };
  then: PromiseLike<unknown>['then'];
}

export interface QueryCase {
  key: string;
  title: string;
  targetP95Ms: number;
  build: (db: Database, i: number) => SentBuilder;
}

export interface PlanFacts {
  file: string;
  executionMs: number;
  seqScanOfMessages: boolean;
  /** "Node Type on relation using index" for the scan nodes, in plan order. */
  scans: string[];
  sharedHitRead: string;
}

export interface QueryResult {
  key: string;
  title: string;
  targetP95Ms: number;
  runs: number;
  ours: { p50: number; p95: number; plan: PlanFacts };
  seedIndexes: { p50: number; p95: number; plan: PlanFacts };
}

export type IndexUse = {
  index: string;
  table: string;
  sizeMiB: number;
  scans: number;
  /** Enforces a constraint: never a candidate to drop for speed. */
  unique: boolean;
};

export interface DataShape {
  users: number;
  conversations: number;
  messages: number;
  participants: number;
  bigConversations: { id: string; messages: number }[];
}

/** Parameters drawn once from the data, the same for both databases. */
async function pickParameters(db: Database) {
  const big = await queryRows<{ id: string; messages: number }>(
    db,
    sql`select conversation_id as id, count(*)::int as messages from messages
        group by conversation_id order by count(*) desc, conversation_id limit 3`,
  );
  const users = await queryRows<{ id: string }>(
    db,
    sql`(select distinct user_id as id from conversation_participants
         where user_id is not null and conversation_id in (select conversation_id from messages
           group by conversation_id order by count(*) desc limit 3))
        union
        (select user_id from conversation_participants where user_id is not null
         group by user_id order by md5(user_id) limit 40)`,
  );
  const moves = await queryRows<{ id: string }>(
    db,
    sql`select move_id as id from conversations group by move_id order by md5(move_id::text) limit 50`,
  );
  const cursors: MessageCursor[] = [];
  for (const conversation of big) {
    const page = await listConversationMessages(db, { conversationId: conversation.id });
    if (page.nextCursor) cursors.push(page.nextCursor);
  }
  return { big, users: users.map((u) => u.id), moves: moves.map((m) => m.id), cursors };
}

function cases(p: Awaited<ReturnType<typeof pickParameters>>): QueryCase[] {
  const at = <T>(list: T[], i: number) => list[i % list.length] as T;
  return [
    {
      key: 'a1',
      title: '(a) newest 50 messages of a conversation with the most messages',
      targetP95Ms: 5,
      build: (db, i) => conversationMessagesQuery(db, { conversationId: at(p.big, i).id }),
    },
    {
      key: 'a2',
      title: '(a) the next page of 50 by keyset (created_at, id)',
      targetP95Ms: 5,
      build: (db, i) =>
        conversationMessagesQuery(db, { conversationId: at(p.big, i).id, before: at(p.cursors, i) }),
    },
    {
      key: 'b',
      title: "(b) a user's conversations by latest activity, with unread counts",
      targetP95Ms: 20,
      build: (db, i) => userConversationsQuery(db, { userId: at(p.users, i) }),
    },
    {
      key: 'c',
      title: "(c) a move's active conversations",
      targetP95Ms: 5,
      build: (db, i) => moveConversationsQuery(db, { moveId: at(p.moves, i), status: 'active' }),
    },
  ];
}

async function time(db: Database, c: QueryCase, runs: number): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 20; i++) await c.build(db, i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await c.build(db, i);
    samples.push(performance.now() - started);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

async function plan(db: Database, c: QueryCase, plansDir: string, variant: string): Promise<PlanFacts> {
  const sent = c.build(db, 0).toSQL();
  const text = await explainQuery(db, sent, { analyze: true });
  const json = await explainQuery(db, sent, { analyze: true, format: 'json' });
  const file = `${c.key}.${variant}.txt`;
  writeFileSync(
    join(plansDir, file),
    `-- ${c.title}\n-- database: ${variant}\n-- SQL as drizzle sends it:\n${sent.sql}\n-- params: ${JSON.stringify(sent.params)}\n\n${text}\n`,
  );
  const nodes: PlanNode[] = planNodes(json);
  const root = (json as { 'Execution Time': number; Plan: PlanNode }[])[0];
  const top = root?.Plan as PlanNode & { 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number };
  return {
    file,
    executionMs: root?.['Execution Time'] ?? Number.NaN,
    seqScanOfMessages: nodes.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'messages'),
    scans: nodes
      .filter((n) => n['Relation Name'] || n['Index Name'])
      .map(
        (n) =>
          `${n['Node Type']}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`,
      ),
    sharedHitRead: `${top?.['Shared Hit Blocks'] ?? 0} hit / ${top?.['Shared Read Blocks'] ?? 0} read`,
  };
}

export async function describeData(db: Database): Promise<DataShape> {
  const [counts] = await queryRows<Omit<DataShape, 'bigConversations'>>(
    db,
    sql`select (select count(*)::int from users) as users,
               (select count(*)::int from conversations) as conversations,
               (select count(*)::int from messages) as messages,
               (select count(*)::int from conversation_participants) as participants`,
  );
  const big = await queryRows<{ id: string; messages: number }>(
    db,
    sql`select conversation_id as id, count(*)::int as messages from messages
        group by conversation_id order by count(*) desc limit 3`,
  );
  if (!counts) throw new Error('no counts');
  return { ...counts, bigConversations: big };
}

async function indexUse(db: Database): Promise<IndexUse[]> {
  return queryRows<IndexUse>(
    db,
    sql`select s.indexrelname as index, s.relname as table,
               round(pg_relation_size(s.indexrelid) / 1048576.0, 1)::float as "sizeMiB", s.idx_scan::int as scans,
               i.indisunique as unique
        from pg_stat_user_indexes s join pg_index i on i.indexrelid = s.indexrelid
        where s.relname in (${sql.join(
          tableNamesWithRole('conversations').map((name) => sql`${name}`),
          sql`, `,
        )})
        order by s.relname, s.indexrelname`,
  );
}

/**
 * p50/p95 of each hot query, run through drizzle as an app runs it, on the database with our indexes
 * and on a TEMPLATE copy with seed 000's indexes alone; EXPLAIN (ANALYZE, BUFFERS) of each saved.
 */
export async function benchQueries(
  server: BenchServer,
  ours: string,
  seedIndexes: string,
  runs: number,
  plansDir: string,
): Promise<{ shape: DataShape; results: QueryResult[]; indexes: IndexUse[] }> {
  // Each phase on its own connections: a backend reports its index scans when it exits, so the
  // counts read between phases are complete, and the set-up's own scans are subtracted.
  const withDb = async <T>(name: string, use: (db: Database) => Promise<T>): Promise<T> => {
    const handle = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
    try {
      return await use(handle.db);
    } finally {
      await handle.close();
    }
  };
  const settle = () => new Promise((r) => setTimeout(r, 1500));
  const params = await withDb(ours, pickParameters);
  await settle();
  const before = await withDb(ours, indexUse);
  const results: QueryResult[] = [];
  const handles: DatabaseHandle[] = [];
  try {
    const a = await openDatabase({ url: server.urlOf(ours), maxConnections: 1 });
    handles.push(a);
    const b = await openDatabase({ url: server.urlOf(seedIndexes), maxConnections: 1 });
    handles.push(b);
    for (const c of cases(params)) {
      const oursTime = await time(a.db, c, runs);
      const seedTime = await time(b.db, c, runs);
      results.push({
        key: c.key,
        title: c.title,
        targetP95Ms: c.targetP95Ms,
        runs,
        ours: { ...oursTime, plan: await plan(a.db, c, plansDir, 'ours') },
        seedIndexes: { ...seedTime, plan: await plan(b.db, c, plansDir, 'seed-indexes') },
      });
    }
  } finally {
    for (const h of handles) await h.close();
  }
  await settle();
  const after = await withDb(ours, indexUse);
  const indexes = after.map((i) => ({
    ...i,
    scans: i.scans - (before.find((x) => x.index === i.index)?.scans ?? 0),
  }));
  return { shape: await withDb(ours, describeData), results, indexes };
}
