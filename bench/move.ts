import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { LegacyDataCounts } from './legacy-data.js';
import { runNodeMeasured } from './lib/child-rss.js';
import type { BenchServer } from './lib/server.js';
import { removeSync } from './lib/sync.js';
import { startWriter, type WriterResult } from './lib/writer.js';
import { runSeedStep3 } from './seed-step3.js';

export interface MovedCounts {
  conversations: number;
  messages: number;
  participants: number;
  archived: number;
}

export interface MoveRun {
  ms: number;
  writer: WriterResult;
  moved: MovedCounts;
  /** ours only */
  peakRssKiB?: number;
  polledCommand?: string;
  failure?: string;
}

export interface MoveSizeResult {
  label: string;
  data: LegacyDataCounts;
  seed: MoveRun[];
  ours: MoveRun[];
}

export interface MoverOptions {
  /** Absolute path of the mover script; the move half is skipped when it does not exist. */
  script: string;
  repoRoot: string;
}

/**
 * Times seed 000 Step 3 and our mover on fresh copies (CREATE DATABASE ... TEMPLATE) of one loaded
 * legacy database, alternating so that background noise hits both alike, with the concurrent writer
 * running throughout each.
 */
export async function benchMove(
  server: BenchServer,
  template: string,
  label: string,
  data: LegacyDataCounts,
  runs: number,
  mover: MoverOptions,
  log: (line: string) => void,
): Promise<MoveSizeResult> {
  const result: MoveSizeResult = { label, data, seed: [], ours: [] };
  const hasMover = existsSync(mover.script);
  const run = `${template}_run`;
  for (let i = 1; i <= runs; i++) {
    await server.create(run, template);
    result.seed.push(await timeSeed(server, run));
    await server.drop(run);
    log(`  ${label} run ${i}/${runs}: seed Step 3 ${fmt(result.seed.at(-1)?.ms)}`);
    if (!hasMover) continue;
    await server.create(run, template);
    result.ours.push(await timeMover(server, run, mover));
    await server.drop(run);
    const last = result.ours.at(-1);
    log(
      `  ${label} run ${i}/${runs}: chats:migrate ${fmt(last?.ms)}${last?.failure ? ` FAILED: ${last.failure}` : ''}`,
    );
  }
  return result;
}

const fmt = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(2)} s`);

async function sessionSample(server: BenchServer, name: string): Promise<string[]> {
  const sql = server.client(name);
  try {
    const rows = await sql<{ id: string }[]>`
      select id from chat_sessions where move_id is not null order by id limit 1000`;
    return rows.map((r) => r.id);
  } finally {
    await sql.end();
  }
}

async function movedCounts(server: BenchServer, name: string): Promise<MovedCounts> {
  const sql = server.client(name);
  try {
    const [row] = await sql<MovedCounts[]>`select
      (select count(*)::int from conversations) as conversations,
      (select count(*)::int from messages) as messages,
      (select count(*)::int from conversation_participants) as participants,
      (select count(*)::int from chat_session_archive) as archived`;
    if (!row) throw new Error('no counts');
    return row;
  } finally {
    await sql.end();
  }
}

async function timeSeed(server: BenchServer, name: string): Promise<MoveRun> {
  const sessions = await sessionSample(server, name);
  const sql = server.client(name);
  const writerSql = server.client(name);
  try {
    // Seed 000 knows no sync: its copy runs on the legacy and new tables alone (with the sync on, the
    // writer's messages would reach the new tables first and the seed's INSERT would fail on them).
    await removeSync(sql);
    const writer = startWriter(writerSql, sessions);
    const ms = await runSeedStep3(sql);
    return { ms, writer: await writer.stop(), moved: await movedCounts(server, name) };
  } finally {
    await sql.end();
    await writerSql.end();
  }
}

async function timeMover(server: BenchServer, name: string, mover: MoverOptions): Promise<MoveRun> {
  const sessions = await sessionSample(server, name);
  const writerSql = server.client(name);
  const reportDir = mkdtempSync(join(tmpdir(), 'bench-move-'));
  try {
    const writer = startWriter(writerSql, sessions);
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: server.urlOf(name) };
    delete env.PGLITE_DATA_DIR;
    const child = await runNodeMeasured(
      [
        '--import',
        'tsx',
        relative(mover.repoRoot, mover.script),
        '--orphans=archive',
        '--report',
        join(reportDir, 'report.json'),
      ],
      env,
      mover.repoRoot,
    );
    const run: MoveRun = {
      ms: child.ms,
      writer: await writer.stop(),
      moved: await movedCounts(server, name),
      peakRssKiB: child.peakRssKiB,
      polledCommand: child.polledCommand,
    };
    if (child.code !== 0) {
      const lastLine = child.stderr.trim().split('\n').at(-1) ?? '';
      run.failure = `exit ${child.code}: ${lastLine}`;
    }
    return run;
  } finally {
    await writerSql.end();
    rmSync(reportDir, { recursive: true, force: true });
  }
}
