import type { ChainResult } from './chain.js';
import type { LegacyDataSize } from './legacy-data.js';
import type { Machine } from './lib/machine.js';
import { max, median } from './lib/stats.js';
import type { MoveRun, MoveSizeResult } from './move.js';
import type { DataShape, IndexUse, QueryResult } from './queries.js';
import type { RlsResult } from './rls.js';
import { rlsSection } from './rls-report.js';

export interface BenchReport {
  quick: boolean;
  startedAt: string;
  minutes: number;
  machine: Machine;
  postgres: { version: string; sharedBuffers: string; workMem: string };
  moverScript: string;
  moverPresent: boolean;
  expandTarget: string;
  sizes: Record<'small' | 'large', LegacyDataSize>;
  runs: number;
  loadSeconds: Record<string, number>;
  chain: ChainResult;
  move: MoveSizeResult[];
  queries?: { shape: DataShape; results: QueryResult[]; indexes: IndexUse[] };
  rls?: RlsResult;
}

const n = (x: number) => (Number.isFinite(x) ? x.toLocaleString('en-US') : 'n/a');
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}` : 'n/a');
const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms` : 'n/a');
const s = (x: number) => (Number.isFinite(x) ? `${(x / 1000).toFixed(2)} s` : 'n/a');
const mib = (kib: number) => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(0)} MiB` : 'n/a');
const verdict = (met: boolean, text: string) => `${met ? '**met**' : '**MISSED**'}: ${text}`;

function rowsPerSecond(runs: MoveRun[]): number {
  const last = runs.at(-1);
  if (!last) return Number.NaN;
  return (last.moved.conversations + last.moved.messages) / (median(runs.map((r) => r.ms)) / 1000);
}

function moveSection(r: BenchReport): string[] {
  const out = ['## 1. The move', ''];
  out.push(
    `Legacy data generated with a seeded PRNG and loaded with COPY into a database migrated to \`${r.expandTarget}\` (the expand step: legacy and new tables side by side), then copied with \`CREATE DATABASE ... TEMPLATE\` for every run, so each run starts from identical rows. Seed 000 Step 3 (one INSERT ... SELECT per table; titles that are NULL get the column default, else the seed's SQL aborts) and our mover alternate on those copies. A concurrent writer on its own connection inserts a legacy chat_messages row into an existing session every ~10 ms during both, and times each insert.`,
    '',
  );
  out.push('| data set | users | employees | moves | sessions (orphans) | messages (in orphans) | load |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const m of r.move) {
    const d = m.data;
    out.push(
      `| ${m.label} | ${n(d.users)} | ${n(d.employees)} | ${n(d.moves)} | ${n(d.sessions)} (${n(d.orphanSessions)}) | ${n(d.messages)} (${n(d.orphanMessages)}) | ${(r.loadSeconds[m.label] ?? 0).toFixed(1)} s |`,
    );
  }
  out.push('');
  if (!r.moverPresent) {
    out.push(
      `> **Our mover was not measured:** \`${r.moverScript}\` does not exist on this branch. Only the seed baseline ran. Run \`npm run bench\` again once \`chats:migrate\` is merged.`,
      '',
    );
  }
  out.push(
    `| data set | seed Step 3 (median of ${r.runs}) | ours (median of ${r.runs}) | ours / seed | rows/s seed | rows/s ours | our peak RSS (median) | writer: longest insert, seed / ours | writer inserts (ours, last run) |`,
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const m of r.move) {
    const seed = median(m.seed.map((x) => x.ms));
    const ours = median(m.ours.map((x) => x.ms));
    out.push(
      `| ${m.label} | ${s(seed)} | ${s(ours)} | ${times(ours / seed)} | ${n(Math.round(rowsPerSecond(m.seed)))} | ${n(Math.round(rowsPerSecond(m.ours)))} | ${mib(median(m.ours.map((x) => x.peakRssKiB ?? Number.NaN)))} | ${ms(max(m.seed.map((x) => x.writer.maxMs)))} / ${ms(max(m.ours.map((x) => x.writer.maxMs)))} | ${m.ours.at(-1)?.writer.inserts ?? 'n/a'} |`,
    );
  }
  out.push('');
  out.push(
    'Rows moved (last run): conversations + messages; participants and archived sessions listed for checking.',
    '',
  );
  out.push('| data set | who | conversations | messages | participants | archived sessions | failures |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | --- |');
  for (const m of r.move) {
    for (const [who, runs] of [
      ['seed', m.seed],
      ['ours', m.ours],
    ] as const) {
      const last = runs.at(-1);
      if (!last) continue;
      const failures = runs.filter((x) => x.failure).map((x) => x.failure);
      out.push(
        `| ${m.label} | ${who} | ${n(last.moved.conversations)} | ${n(last.moved.messages)} | ${n(last.moved.participants)} | ${n(last.moved.archived)} | ${failures.length ? failures.join('; ') : 'none'} |`,
      );
    }
  }
  const polled = r.move.flatMap((m) => m.ours).find((x) => x.polledCommand)?.polledCommand;
  if (polled) out.push('', `Peak RSS is VmHWM of the process \`${polled}\`, polled every 20 ms.`);
  out.push('');
  return out;
}

function targetsSection(r: BenchReport): string[] {
  const out = ['## Targets', ''];
  if (r.quick)
    out.push('Quick run: the verdicts below only exercise the report; the targets are for the full run.', '');
  const [small, large] = r.move;
  if (r.moverPresent && small && large?.ours.length) {
    const ratio = median(large.ours.map((x) => x.ms)) / median(large.seed.map((x) => x.ms));
    out.push(
      `- Move time at ${large.label}, ours <= 1.5x seed Step 3: ${verdict(ratio <= 1.5, `${ratio.toFixed(2)}x${ratio > 1.5 ? ` (over by ${((ratio / 1.5 - 1) * 100).toFixed(0)}%)` : ''}`)}`,
    );
    const rssSmall = median(small.ours.map((x) => x.peakRssKiB ?? Number.NaN));
    const rssLarge = median(large.ours.map((x) => x.peakRssKiB ?? Number.NaN));
    const growth = rssLarge / rssSmall - 1;
    out.push(
      `- Peak RSS within 20% between ${small.label} and ${large.label}: ${verdict(Math.abs(growth) <= 0.2, `${mib(rssSmall)} -> ${mib(rssLarge)} (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(0)}%)`)}`,
    );
    const longest = max(r.move.flatMap((m) => m.ours.map((x) => x.writer.maxMs)));
    out.push(`- No concurrent insert waits > 1 s: ${verdict(longest <= 1000, `longest ${ms(longest)}`)}`);
    const failed = r.move.flatMap((m) => m.ours).filter((x) => x.failure).length;
    if (failed) out.push(`- Mover runs that failed: **${failed}** (see the table above)`);
  } else {
    out.push('- Move targets: **not measured** (no mover on this branch).');
  }
  for (const q of r.queries?.results ?? []) {
    const p95 = q.ours.p95;
    const why =
      p95 < q.targetP95Ms
        ? ''
        : q.ours.p50 < q.targetP95Ms && q.ours.plan.executionMs < q.targetP95Ms
          ? `; p50 ${ms(q.ours.p50)} and the plan's execution ${ms(q.ours.plan.executionMs)} are under the target, so the tail misses, not the plan: scheduling noise from other load on the machine`
          : `; p50 ${ms(q.ours.p50)}, plan execution ${ms(q.ours.plan.executionMs)}: the query itself is too slow`;
    out.push(
      `- ${q.key}: p95 < ${q.targetP95Ms} ms: ${verdict(p95 < q.targetP95Ms, `${ms(p95)}${p95 >= q.targetP95Ms ? ` (over by ${ms(p95 - q.targetP95Ms)}${why})` : ''}`)}; no Seq Scan of messages: ${verdict(!q.ours.plan.seqScanOfMessages, q.ours.plan.seqScanOfMessages ? 'the plan scans messages sequentially' : 'none in the plan')}`,
    );
  }
  out.push('');
  return out;
}

function queriesSection(r: BenchReport): string[] {
  const q = r.queries;
  if (!q) return [];
  const out = ['## 2. Hot queries at scale', ''];
  out.push(
    `Data: the ${r.move.at(-1)?.label ?? 'large'} legacy set moved by seed 000 Step 3, plus two or three user participants per conversation with a last_read_at (a quarter NULL: never read) and a fifth of the conversations archived or closed: ${n(q.shape.users)} users, ${n(q.shape.conversations)} conversations, ${n(q.shape.participants)} participants, ${n(q.shape.messages)} messages; the largest conversations hold ${q.shape.bigConversations.map((b) => n(b.messages)).join(', ')} messages. Each query is the function in \`src/app/queries/\`, timed through drizzle (postgres.js, one connection) as an app calls it, ${q.results[0]?.runs ?? 0} runs after 20 warm-up runs, parameters rotating over a fixed sample. "seed indexes" is a TEMPLATE copy of the same database with the indexes seed 000 does not have dropped (\`idx_messages_conversation_created_at\`), measured in the same run.`,
    '',
  );
  out.push(
    '| query | target p95 | ours p50 | ours p95 | seed indexes p50 | seed indexes p95 | p95 seed / ours |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const x of q.results) {
    out.push(
      `| ${x.title} | ${x.targetP95Ms} ms | ${ms(x.ours.p50)} | ${ms(x.ours.p95)} | ${ms(x.seedIndexes.p50)} | ${ms(x.seedIndexes.p95)} | ${(x.seedIndexes.p95 / x.ours.p95).toFixed(1)}x |`,
    );
  }
  out.push('', '### Plans', '');
  out.push(
    'EXPLAIN (ANALYZE, BUFFERS) of the SQL drizzle sends (`toSQL()`, same parameters), first parameter set; full text in `bench/plans/`.',
    '',
  );
  out.push('| query | database | scans | execution | buffers | plan |');
  out.push('| --- | --- | --- | ---: | --- | --- |');
  for (const x of q.results) {
    for (const [label, v] of [
      ['ours', x.ours],
      ['seed indexes', x.seedIndexes],
    ] as const) {
      out.push(
        `| ${x.key} | ${label} | ${v.plan.scans.join('; ')} | ${ms(v.plan.executionMs)} | ${v.plan.sharedHitRead} | [${v.plan.file}](bench/plans/${v.plan.file}) |`,
      );
    }
  }
  out.push('', '### Index sizes and use (our database: scans made by the hot queries above)', '');
  out.push('| table | index | size | scans |');
  out.push('| --- | --- | ---: | ---: |');
  for (const i of q.indexes) out.push(`| ${i.table} | ${i.index} | ${i.sizeMiB} MiB | ${n(i.scans)} |`);
  // Scans are those of the timed and explained hot queries alone (the set-up's are subtracted).
  const unused = q.indexes.filter((i) => i.scans === 0 && !i.unique);
  if (unused.length) {
    const total = unused.reduce((sum, i) => sum + i.sizeMiB, 0);
    out.push(
      '',
      `Not used by any of the hot queries (unique indexes left out: they enforce constraints): ${unused.map((i) => `\`${i.index}\``).join(', ')}, ${total.toFixed(1)} MiB together. They cost every insert; whether other app queries need them is for the app teams to say (see README).`,
    );
  }
  out.push('');
  return out;
}

function chainSection(r: BenchReport): string[] {
  const c = r.chain;
  return [
    '## 3. The chain',
    '',
    `All ${c.migrations.length} migrations (${c.migrations.join(', ')}) applied by \`migrateDatabase\` to an empty database; the migrate call alone, median of ${c.pgliteMs.length}.`,
    '',
    '| target | median | all runs |',
    '| --- | ---: | --- |',
    `| PGlite (fresh folder) | ${ms(median(c.pgliteMs))} | ${c.pgliteMs.map(ms).join(', ')} |`,
    `| PGlite: opening the fresh database, for scale | ${ms(median(c.pgliteOpenMs))} | ${c.pgliteOpenMs.map(ms).join(', ')} |`,
    `| PostgreSQL server | ${ms(median(c.serverMs))} | ${c.serverMs.map(ms).join(', ')} |`,
    '',
  ];
}

export function renderReport(r: BenchReport): string {
  const out: string[] = ['# Benchmarks', ''];
  out.push('Generated by `npm run bench` (bench/run.ts); do not edit by hand.', '');
  if (r.quick) {
    out.push(
      '> **QUICK RUN** (`npm run bench -- --quick`): small data sets and few runs, a smoke test of the bench itself. These figures say nothing about the targets; run `npm run bench` for the real ones.',
      '',
    );
  }
  out.push(
    `Run ${r.startedAt}, took ${r.minutes.toFixed(1)} min. Machine: ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB memory, ${r.machine.platform}, Node ${r.machine.node}. PostgreSQL: ${r.postgres.version} (shared_buffers ${r.postgres.sharedBuffers}, work_mem ${r.postgres.workMem}). Medians of ${r.runs} runs unless said otherwise; every ratio compares figures taken in this same run.`,
    '',
  );
  out.push(...targetsSection(r), ...moveSection(r), ...queriesSection(r), ...chainSection(r));
  if (r.rls) out.push(...rlsSection(r.rls, r.startedAt, 'Data: the hot-query data set of section 2.'));
  return `${out.join('\n')}\n`;
}
