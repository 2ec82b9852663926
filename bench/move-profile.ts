import { readFileSync } from 'node:fs';
import { sql as dsql } from 'drizzle-orm';
import { queryRow } from '../src/app/database.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { openDatabase } from '../src/operator/connect.js';
import { type MovePhase, moveLegacyChats } from '../src/operator/legacy-move/index.js';
import { BenchServer } from './lib/server.js';
import { removeSync } from './lib/sync.js';
import { loadLegacyDatabase } from './load-legacy.js';
import { seedStep3 } from './seed-step3.js';

// Where a first run of chats:migrate spends its time: wall and the mover backend's CPU per phase, on a
// TEMPLATE copy of one loaded legacy database (the sync on, nobody writing). Not part of npm test.
//
//   DATABASE_URL=... BENCH_DB_PREFIX=... npx tsx bench/move-profile.ts load <messages>
//   DATABASE_URL=... BENCH_DB_PREFIX=... npx tsx bench/move-profile.ts run <messages> [label]
//   DATABASE_URL=... BENCH_DB_PREFIX=... npx tsx bench/move-profile.ts seed <messages>
// `seed`: seed 000 Step 3 in one transaction on a copy (the sync removed, as in the breakdown), the yardstick.
// `load` keeps its template (bench_profile_<messages>); drop it by hand when done. A phase's time runs
// from the batch before its first to its last, so the deferred indexes' build counts in 'orphans'.
//   PROFILE_EXPLAIN=1 (or =analyze): every statement's duration, nested ones (the triggers') too, in the
//     server's log through auto_explain (with analyze: the plans of statements over 50 ms); the mover's
//     backend pid is printed, to pick its lines out.
//   PROFILE_STOP_AT=<n>: the run fails after batch n (a copy stopped mid-load); PROFILE_KEEP=1 keeps the copy.

const [mode = 'run', count = '500000', label = 'this tree'] = process.argv.slice(2);
const messages = Number(count);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL names the server');
const template = `bench_profile_${messages}`;
const server = new BenchServer(url);

/** utime + stime of a process, in seconds (Linux /proc; the server runs on this machine). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

if (mode === 'load') {
  await loadLegacyDatabase(server, template, expandStepTag(), {
    sessions: messages / 10,
    messages,
    users: messages / 50,
    bigSessions: 3,
    bigSessionMessages: Math.min(25_000, messages / 20),
  });
  process.stdout.write(`loaded ${server.physical(template)}\n`);
  // The template stays (close() would drop it).
  process.exit(0);
}

const copy = `${template}_copy_${process.pid}`;
if (mode === 'seed') {
  await server.create(copy, template);
  const sql = server.client(copy);
  try {
    await removeSync(sql);
    await sql.unsafe('CHECKPOINT');
    const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const pid = row?.pid ?? 0;
    const started = { at: performance.now(), cpu: cpuSeconds(pid) };
    await sql.begin(async (tx) => {
      for (const step of seedStep3) await tx.unsafe(step.sql);
    });
    process.stdout.write(
      `seed 000 Step 3: ${messages} messages: wall ${((performance.now() - started.at) / 1000).toFixed(2)} s, backend CPU ${(cpuSeconds(pid) - started.cpu).toFixed(2)} s\n`,
    );
  } finally {
    await sql.end();
    await server.close();
  }
  process.exit(0);
}
try {
  await server.create(copy, template);
  const checkpoint = server.client(copy);
  if (process.env.PROFILE_EXPLAIN)
    await checkpoint.unsafe(
      `ALTER DATABASE "${server.physical(copy)}" SET session_preload_libraries = 'auto_explain';
       ALTER DATABASE "${server.physical(copy)}" SET auto_explain.log_nested_statements = on;
       ALTER DATABASE "${server.physical(copy)}" SET auto_explain.log_analyze = ${process.env.PROFILE_EXPLAIN === 'analyze' ? 'on' : 'off'};
       ALTER DATABASE "${server.physical(copy)}" SET auto_explain.log_min_duration = ${process.env.PROFILE_EXPLAIN === 'analyze' ? 50 : 0};`,
    );
  await checkpoint.unsafe('CHECKPOINT');
  await checkpoint.end();
  const handle = await openDatabase({ url: server.urlOf(copy), maxConnections: 1 });
  try {
    const { pid } = await queryRow<{ pid: number }>(handle.db, dsql`select pg_backend_pid() as pid`);
    process.stdout.write(`mover backend ${pid}\n`);
    const phases = new Map<MovePhase | 'end', { ms: number; cpu: number; batches: number }>();
    let mark = { at: performance.now(), cpu: cpuSeconds(pid) };
    let current: MovePhase | undefined;
    const close = (phase: MovePhase | 'end') => {
      const now = { at: performance.now(), cpu: cpuSeconds(pid) };
      const entry = phases.get(phase) ?? { ms: 0, cpu: 0, batches: 0 };
      entry.ms += now.at - mark.at;
      entry.cpu += now.cpu - mark.cpu;
      entry.batches++;
      phases.set(phase, entry);
      mark = now;
    };
    const started = { at: performance.now(), cpu: cpuSeconds(pid), client: process.cpuUsage() };
    await moveLegacyChats(handle.db, {
      onBatch: ({ phase, index }) => {
        if (index === Number(process.env.PROFILE_STOP_AT ?? 0)) throw new Error(`stopped at batch ${index}`);
        current = phase;
        close(phase);
      },
    });
    close('end');
    const wall = (performance.now() - started.at) / 1000;
    const cpu = cpuSeconds(pid) - started.cpu;
    const client = process.cpuUsage(started.client);
    process.stdout.write(
      `${label}: ${messages} messages: wall ${wall.toFixed(2)} s, backend CPU ${cpu.toFixed(2)} s, client CPU ${((client.user + client.system) / 1e6).toFixed(2)} s (last phase ${current})\n`,
    );
    for (const [phase, e] of phases)
      process.stdout.write(
        `  ${phase}: ${e.batches} batches, wall ${(e.ms / 1000).toFixed(2)} s, backend CPU ${e.cpu.toFixed(2)} s\n`,
      );
  } finally {
    await handle.close();
  }
} finally {
  // PROFILE_KEEP: the copy stays, as the run left it (to look into by hand; drop it when done).
  if (process.env.PROFILE_KEEP) {
    process.stdout.write(`kept ${server.physical(copy)}\n`);
    process.exit(0);
  }
  await server.close();
}
