import os from 'node:os';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { openDatabase } from '../src/operator/connect.js';
import { moveLegacyChats } from '../src/operator/legacy-move/index.js';
import { type DropRehearsal, rehearseDrop } from './drop-rehearsal.js';
import type { BenchServer } from './lib/server.js';
import { max, percentile } from './lib/stats.js';
import { removeSync } from './lib/sync.js';

export interface LatencySummary {
  p50: number;
  p95: number;
  n: number;
}

export interface SyncWriteCost {
  write: string;
  on: LatencySummary;
  off: LatencySummary;
}

export interface SyncBenchResult {
  label: string;
  writes: SyncWriteCost[];
  /** Our mover (in process, batch 5000) on a copy with the sync installed, and on one without it. */
  moveMs: { on: number; off: number };
  /** The full equality check (legacy_chat_differences(false), which the guard used to run under its locks), best of 3. */
  guardMs: number;
  /** The drop itself (db:migrate of the guarded drop) while a new-app writer inserts into messages. */
  drop: DropUnderWrites;
  messages: number;
}

export interface DropUnderWrites {
  /** Wall time of the whole drop migration (the unlocked full check included). */
  dropMs: number;
  /** The writer's longest single INSERT while the drop ran: how long the guard's locks held it. */
  writerMaxMs: number;
  writerP50Ms: number;
  /** INSERTs the writer completed while the drop ran. */
  writes: number;
  /** Rows and size of the guard's log when the drop started (the move's writes and the bench's). */
  logRows: number;
  logBytes: number;
  /** The guard's steps under its locks, timed one by one in a transaction rolled back, the writer running. */
  rehearsal: DropRehearsal;
  /** The writer's longest INSERT during that rehearsal (its locks held from the LOCK to the rollback). */
  rehearsalWriterMaxMs: number;
  /** The load average (1 min) when the drop began. */
  load: number;
}

const summary = (ms: number[]): LatencySummary => ({
  p50: percentile(ms, 50),
  p95: percentile(ms, 95),
  n: ms.length,
});

/**
 * The cost of the cutover sync (issue 11 item 7). Two copies of one loaded legacy database: `on` keeps
 * the sync's triggers, `off` has them removed. Both are moved by our mover (timed), then the old app's
 * single-row INSERT into chat_messages and the new app's single-row INSERT into messages are timed on
 * each, one at a time, alternating on and off in rounds of 20 so that background load hits both alike.
 */
export async function benchSync(
  server: BenchServer,
  template: string,
  label: string,
  inserts: number,
  log: (line: string) => void,
): Promise<SyncBenchResult> {
  const on = `${template}_sync_on`;
  const off = `${template}_sync_off`;
  await server.create(on, template);
  await server.create(off, template);
  try {
    const offSql = server.client(off);
    try {
      await removeSync(offSql);
    } finally {
      await offSql.end();
    }
    const moveMs = { on: 0, off: 0 };
    for (const [name, key] of [
      [off, 'off'],
      [on, 'on'],
    ] as const) {
      const handle = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
      try {
        const started = performance.now();
        await moveLegacyChats(handle.db);
        moveMs[key] = performance.now() - started;
      } finally {
        await handle.close();
      }
      log(`  move with the sync ${key}: ${(moveMs[key] / 1000).toFixed(1)} s`);
    }

    const guardSql = server.client(on);
    let guardMs = Number.POSITIVE_INFINITY;
    let messages = 0;
    try {
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const [row] = await guardSql<
          { n: number }[]
        >`select count(*)::int as n from conversations_cutover.legacy_chat_differences(false)`;
        guardMs = Math.min(guardMs, performance.now() - started);
        if (row?.n !== 0) throw new Error(`the moved copy differs from the legacy tables in ${row?.n} rows`);
      }
      messages = (await guardSql<{ n: number }[]>`select count(*)::int as n from chat_messages`)[0]?.n ?? 0;
    } finally {
      await guardSql.end();
    }
    log(`  the drop's equality check at ${messages} messages: ${(guardMs / 1000).toFixed(2)} s`);

    const writes: SyncWriteCost[] = [];
    for (const [write, statement] of [
      [
        'old app: INSERT INTO chat_messages',
        (sql: ReturnType<BenchServer['client']>, target: string) =>
          sql`insert into chat_messages (session_id, role, content) values (${target}, 'user', 'written by the old app')`,
      ],
      [
        'new app: INSERT INTO messages',
        (sql: ReturnType<BenchServer['client']>, target: string) =>
          sql`insert into messages (conversation_id, author_type, content) values (${target}, 'user', 'written by the new app')`,
      ],
    ] as const) {
      const latencies: Record<'on' | 'off', number[]> = { on: [], off: [] };
      const clients = { on: server.client(on), off: server.client(off) };
      try {
        const targets = {
          on: (
            await clients.on<{ id: string }[]>`select id::text as id from conversations order by id limit 200`
          ).map((r) => r.id),
          off: (
            await clients.off<
              { id: string }[]
            >`select id::text as id from conversations order by id limit 200`
          ).map((r) => r.id),
        };
        for (let done = 0; done < inserts; done += 20) {
          for (const key of ['off', 'on'] as const) {
            for (let i = done; i < done + 20; i++) {
              const started = performance.now();
              await statement(clients[key], targets[key][i % targets[key].length] ?? '');
              latencies[key].push(performance.now() - started);
            }
          }
        }
      } finally {
        await clients.on.end();
        await clients.off.end();
      }
      const cost = { write, on: summary(latencies.on), off: summary(latencies.off) };
      log(
        `  ${write}: sync on p50 ${cost.on.p50.toFixed(2)} / p95 ${cost.on.p95.toFixed(2)} ms, off p50 ${cost.off.p50.toFixed(2)} / p95 ${cost.off.p95.toFixed(2)} ms`,
      );
      writes.push(cost);
    }
    log('  the guarded drop while a new-app writer inserts into messages...');
    const drop = await dropUnderWrites(server, on);
    log(
      `  the drop: ${(drop.dropMs / 1000).toFixed(2)} s in all; the writer's longest insert ${drop.writerMaxMs.toFixed(1)} ms (p50 ${drop.writerP50Ms.toFixed(2)} ms, ${drop.writes} inserts)`,
    );
    return { label, writes, moveMs, guardMs, drop, messages };
  } finally {
    await server.drop(on);
    await server.drop(off);
  }
}

/**
 * The guarded drop on `name` (db:migrate, our migrator) while a new-app writer inserts into messages,
 * one row at a time on its own connection, from before the drop starts until it has ended: the
 * writer's longest INSERT is the time the guard's locks kept it waiting (issue 11, the guard's cost).
 */
async function dropUnderWrites(server: BenchServer, name: string): Promise<DropUnderWrites> {
  const writer = server.client(name);
  const handle = await openDatabase({ url: server.urlOf(name), maxConnections: 1 });
  try {
    const [target] = await writer<
      { id: string }[]
    >`select id::text as id from conversations order by id limit 1`;
    const [logged] = await writer<{ rows: number; bytes: number }[]>`
      select count(*)::int as rows, pg_total_relation_size('conversations_cutover.legacy_chat_guard_log')::float8 as bytes
      from conversations_cutover.legacy_chat_guard_log`;
    let dropping = true;
    const during: number[] = [];
    const writing = (async () => {
      while (dropping) {
        const started = performance.now();
        await writer`insert into messages (conversation_id, author_type, content) values (${target?.id ?? ''}, 'user', 'written while the drop runs')`;
        during.push(performance.now() - started);
      }
    })();
    // Let the writer run alone for a moment, so the drop starts under load.
    while (during.length < 20) await new Promise((resolve) => setImmediate(resolve));
    // First where the time under the locks goes, step by step (rolled back), then the drop itself.
    during.length = 0;
    const rehearsal = await rehearseDrop(server, name);
    const rehearsalWriterMaxMs = max(during);
    during.length = 0;
    const load = os.loadavg()[0] ?? 0;
    const started = performance.now();
    try {
      await migrateDatabase(handle.db);
    } finally {
      dropping = false;
    }
    const dropMs = performance.now() - started;
    await writing;
    return {
      dropMs,
      writerMaxMs: max(during),
      writerP50Ms: percentile(during, 50),
      writes: during.length,
      logRows: logged?.rows ?? 0,
      logBytes: logged?.bytes ?? 0,
      rehearsal,
      rehearsalWriterMaxMs,
      load,
    };
  } finally {
    await handle.close();
    await writer.end();
  }
}

/** The BENCHMARKS.md section of the sync's cost, between its markers. */
export function renderSyncSection(result: SyncBenchResult, when: Date): string {
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
  const rows = result.writes.map(
    (w) =>
      `| ${w.write} | ${w.off.p50.toFixed(2)} | ${w.on.p50.toFixed(2)} | ${ratio(w.on.p50, w.off.p50)} | ${w.off.p95.toFixed(2)} | ${w.on.p95.toFixed(2)} | **${ratio(w.on.p95, w.off.p95)}** | ${w.on.n} |`,
  );
  return `${syncSectionStart}
## The cutover sync: cost of a write with the sync on (issue 11)

\`npm run bench -- --only sync\` (${when.toISOString()}, ${result.label}): two copies of one legacy data set
loaded before the expand step, one with the sync's triggers and one with them removed, each moved by
\`chats:migrate\`'s library; then single-row INSERTs, one at a time, alternating the two databases in
rounds of 20 so that background load hits both alike. Target: p95 with the sync on within 1.5x of off.

| write | p50 off (ms) | p50 on (ms) | p50 ratio | p95 off (ms) | p95 on (ms) | p95 ratio | inserts each |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

The drop's guard at ${result.messages} legacy messages. The full equality check (\`legacy_chat_differences(false)\`)
takes ${(result.guardMs / 1000).toFixed(2)} s (best of 3): the guard used to run it while holding its locks on the tables. It now
runs it before locking, then under the locks re-checks only what its guard log says changed since. The
whole drop (\`db:migrate\`) took ${(result.drop.dropMs / 1000).toFixed(2)} s while a new-app writer inserted into \`messages\` one row
at a time on its own connection. **The writer's longest insert was ${result.drop.writerMaxMs.toFixed(1)} ms** (p50 ${result.drop.writerP50Ms.toFixed(2)} ms over
${result.drop.writes} inserts during the drop): that is the time the locks held it. The guard log held ${result.drop.logRows} rows
(${(result.drop.logBytes / 1024 / 1024).toFixed(0)} MB with its index) when the drop began: the move prunes what it wrote when it ends (two rows per message moved), so
these are the inserts written since.

Where the time under the locks goes: the guard's steps after its unlocked full check (${(result.drop.rehearsal.unlockedCheckMs / 1000).toFixed(2)} s), each timed on
its own, in the guard's order, in a rehearsal that is rolled back (\`bench/drop-rehearsal.ts\`), the writer inserting
throughout (its longest insert then: ${result.drop.rehearsalWriterMaxMs.toFixed(1)} ms). The log named ${result.drop.rehearsal.loggedKeys} keys for the window; the locks took ${result.drop.rehearsal.lockAttempts} attempt(s). The drop's commit
is not in the rehearsal: the real drop's longest wait, less these steps, is its share. Load average ${result.drop.load.toFixed(1)} when the drop began.

| step under the locks | ms |
| --- | --- |
${result.drop.rehearsal.locked.map((s) => `| ${s.step} | ${s.ms.toFixed(1)} |`).join('\n')}
| all of them | ${result.drop.rehearsal.locked.reduce((sum, s) => sum + s.ms, 0).toFixed(1)} |

The move itself (our mover, batch 5000): ${(result.moveMs.off / 1000).toFixed(1)} s with the sync removed, ${(result.moveMs.on / 1000).toFixed(1)} s with it installed (${ratio(result.moveMs.on, result.moveMs.off)}); the mover's writes skip the triggers by their WHEN clause.
${syncSectionEnd}`;
}

export const syncSectionStart = '<!-- sync-bench:start -->';
export const syncSectionEnd = '<!-- sync-bench:end -->';

/** BENCHMARKS.md with its sync section replaced (or appended when it has none). */
export function spliceSyncSection(markdown: string, section: string): string {
  const start = markdown.indexOf(syncSectionStart);
  const end = markdown.indexOf(syncSectionEnd);
  if (start === -1 || end === -1) return `${markdown.trimEnd()}\n\n${section}\n`;
  return `${markdown.slice(0, start)}${section}${markdown.slice(end + syncSectionEnd.length)}`;
}
