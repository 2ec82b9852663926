import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type postgres from 'postgres';
import type { LegacyDataCounts } from './legacy-data.js';
import { runNodeMeasured } from './lib/child-rss.js';
import type { BenchServer } from './lib/server.js';
import { removeSync } from './lib/sync.js';
import { startWriter, type WriterResult } from './lib/writer.js';
import { seedStep3 } from './seed-step3.js';

/** One line of the breakdown: a way to move the same legacy rows, timed on its own copy. */
export interface BreakdownRow {
  variant: string;
  ms: number;
  /** The concurrent old-app writer, where one ran. */
  writer?: WriterResult;
  failure?: string;
}

export interface BreakdownResult {
  label: string;
  data: LegacyDataCounts;
  rows: BreakdownRow[];
  /** chats:migrate --max-rate used for the throttled row (rows/s), if it ran. */
  maxRate?: number;
  /** db:check on the moved database with the drop applied (clean), ms: without its kept initdb dump, and with it. */
  dbCheck?: { coldMs: number; warmMs: number };
}

export const variantNames = {
  seed: 'seed 000 Step 3, one transaction',
  ledger: 'the same + one ledger row per session and message',
  indexesAfter: 'the same, with the `messages` secondary indexes built after the load',
  keyset: 'the same as the second row, messages in keyset batches of 5000 ids (no probes)',
  blocks: 'the same as the second row, messages in batches of heap blocks (~5000 rows, no probes)',
  ours: '`chats:migrate` (the sync on, the old app writing)',
  rerun: '`chats:migrate` again, nothing to do',
  throttled: '`chats:migrate --max-rate`',
} as const;

const ledgerSql = [
  `INSERT INTO legacy_chat_moved_sessions (session_id, title_was_null)
   SELECT cs.id, cs.title IS NULL FROM chat_sessions cs WHERE cs.move_id IS NOT NULL`,
  `INSERT INTO legacy_chat_moved_messages (message_id, content_was_null)
   SELECT cm.id, cm.content IS NULL FROM chat_messages cm WHERE cm.session_id IN (SELECT id FROM conversations)`,
];

const [conversationsStep, messagesStep, ...participantSteps] = seedStep3;

/** The seed's message INSERT and the ledger's, for the legacy messages matching `where` (on cm). */
export const messageBatchSql = (where: string) => `
  WITH src AS (
    SELECT cm.* FROM chat_messages cm
    WHERE ${where} AND cm.session_id IN (SELECT id FROM conversations)
  ), m AS (
    INSERT INTO messages (id, conversation_id, author_id, author_type, content, tool_calls, reasoning, model,
      metadata, created_at)
    SELECT s.id, s.session_id, NULL,
      CASE WHEN s.role = 'assistant' THEN 'ai'::author_type WHEN s.role = 'system' THEN 'system'::author_type
           ELSE 'user'::author_type END,
      s.content, s.tool_calls, s.reasoning, s.model, s.metadata, s.created_at
    FROM src s RETURNING 1
  ), l AS (
    INSERT INTO legacy_chat_moved_messages (message_id, content_was_null)
    SELECT s.id, s.content IS NULL FROM src s RETURNING 1
  )
  SELECT (SELECT count(*) FROM m) + (SELECT count(*) FROM l) AS n`;

async function timed(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

/** Sessions, participants and both ledgers in one transaction; messages by `messages`. */
export async function seedWithLedger(
  sql: postgres.Sql,
  messages: (tx: postgres.Sql) => Promise<void>,
): Promise<void> {
  await sql.begin(async (tx) => {
    if (conversationsStep) await tx.unsafe(conversationsStep.sql);
    await tx.unsafe(ledgerSql[0] ?? '');
    for (const step of participantSteps) await tx.unsafe(step.sql);
  });
  await messages(sql);
}

/** Messages in keyset batches of `size` ids, each batch its own transaction. */
async function keysetBatches(sql: postgres.Sql, size: number): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const bound = after === undefined ? 'true' : `cm.id > '${after}'::uuid`;
    const [row] = await sql.unsafe<{ id: string }[]>(
      `SELECT cm.id::text AS id FROM chat_messages cm WHERE ${bound} ORDER BY cm.id OFFSET ${size - 1} LIMIT 1`,
    );
    const upTo = row?.id;
    await sql.unsafe(messageBatchSql(upTo === undefined ? bound : `${bound} AND cm.id <= '${upTo}'::uuid`));
    if (upTo === undefined) return;
    after = upTo;
  }
}

/** Messages in batches of heap blocks holding about `size` rows, each batch its own transaction. */
async function blockBatches(sql: postgres.Sql, size: number): Promise<void> {
  const [row] = await sql.unsafe<{ blocks: number; rows: number }[]>(
    `SELECT (pg_relation_size('chat_messages') / current_setting('block_size')::int)::int AS blocks,
            (SELECT count(*) FROM chat_messages)::int AS rows`,
  );
  const blocks = Math.max(1, row?.blocks ?? 1);
  const step = Math.max(1, Math.floor(size / Math.max(1, (row?.rows ?? 0) / blocks)));
  for (let from = 0; from < blocks; from += step) {
    const upper = from + step >= blocks ? '' : ` AND cm.ctid < '(${from + step},0)'::tid`;
    await sql.unsafe(messageBatchSql(`cm.ctid >= '(${from},0)'::tid${upper}`));
  }
}

export interface BreakdownOptions {
  /** The mover script (scripts/chats-migrate.ts) and the repository it runs in. */
  script: string;
  repoRoot: string;
  /** Also time chats:migrate throttled to this fraction of its full-speed rate (0 < f < 1). */
  throttleFraction?: number;
}

/**
 * Where the move's time goes: seed 000's one-shot SQL, then what each guarantee of ours costs on top
 * of it (the ledger, batches) and what each lever wins back (indexes built after the load, batches of
 * heap blocks), then chats:migrate itself with the sync on and the old app writing, a re-run with
 * nothing to do, and optionally a throttled run. Every row on its own TEMPLATE copy of one loaded
 * legacy database, one after another in this run, so the ratios compare like with like.
 */
export async function benchMoveBreakdown(
  server: BenchServer,
  template: string,
  label: string,
  data: LegacyDataCounts,
  options: BreakdownOptions,
  log: (line: string) => void,
): Promise<BreakdownResult> {
  const result: BreakdownResult = { label, data, rows: [] };
  const run = `${template}_breakdown`;
  const onCopy = async (variant: string, body: (sql: postgres.Sql) => Promise<void>) => {
    await server.create(run, template);
    const sql = server.client(run);
    try {
      // Seed 000 knows no sync (with it on, the seed's INSERTs would be mirrored back).
      await removeSync(sql);
      await sql.unsafe('CHECKPOINT');
      const ms = await timed(() => body(sql));
      result.rows.push({ variant, ms });
      log(`  ${label}: ${variant}: ${(ms / 1000).toFixed(2)} s`);
    } finally {
      await sql.end();
      await server.drop(run);
    }
  };

  await onCopy(variantNames.seed, async (sql) => {
    await sql.begin(async (tx) => {
      for (const step of seedStep3) await tx.unsafe(step.sql);
    });
  });
  await onCopy(variantNames.ledger, async (sql) => {
    await sql.begin(async (tx) => {
      if (conversationsStep) await tx.unsafe(conversationsStep.sql);
      if (messagesStep) await tx.unsafe(messagesStep.sql);
      for (const step of participantSteps) await tx.unsafe(step.sql);
      for (const statement of ledgerSql) await tx.unsafe(statement);
    });
  });
  await onCopy(variantNames.indexesAfter, async (sql) => {
    const indexes = await sql<{ name: string; definition: string }[]>`
      select indexname as name, indexdef as definition from pg_indexes
      where schemaname = 'public' and tablename = 'messages' and indexname <> 'messages_pkey'`;
    await sql.begin(async (tx) => {
      for (const index of indexes) await tx.unsafe(`DROP INDEX public."${index.name}"`);
      if (conversationsStep) await tx.unsafe(conversationsStep.sql);
      if (messagesStep) await tx.unsafe(messagesStep.sql);
      for (const step of participantSteps) await tx.unsafe(step.sql);
      for (const statement of ledgerSql) await tx.unsafe(statement);
      for (const index of indexes) await tx.unsafe(index.definition);
    });
  });
  await onCopy(variantNames.keyset, (sql) => seedWithLedger(sql, (s) => keysetBatches(s, 5000)));
  await onCopy(variantNames.blocks, (sql) => seedWithLedger(sql, (s) => blockBatches(s, 5000)));

  // Ours, as an operator runs it: the sync installed, the old app writing throughout.
  await server.create(run, template);
  try {
    const checkpoint = server.client(run);
    await checkpoint.unsafe('CHECKPOINT');
    await checkpoint.end();
    const first = await timeCommand(server, run, options, []);
    result.rows.push({ variant: variantNames.ours, ...first });
    log(
      `  ${label}: chats:migrate: ${(first.ms / 1000).toFixed(2)} s${first.failure ? ` FAILED ${first.failure}` : ''}`,
    );
    const again = await timeCommand(server, run, options, []);
    result.rows.push({ variant: variantNames.rerun, ...again });
    log(`  ${label}: re-run: ${(again.ms / 1000).toFixed(2)} s`);
    result.dbCheck = await timeDbCheck(server, run, options.repoRoot);
    log(
      `  ${label}: db:check after the drop: ${(result.dbCheck.coldMs / 1000).toFixed(2)} s without its kept dump, ${(result.dbCheck.warmMs / 1000).toFixed(2)} s with it`,
    );
  } finally {
    await server.drop(run);
  }
  if (options.throttleFraction !== undefined) {
    const full = result.rows.find((r) => r.variant === variantNames.ours);
    const rows = data.sessions + data.messages;
    const maxRate = Math.max(1, Math.round((rows / ((full?.ms ?? 1) / 1000)) * options.throttleFraction));
    result.maxRate = maxRate;
    await server.create(run, template);
    try {
      const throttled = await timeCommand(server, run, options, ['--max-rate', String(maxRate)]);
      result.rows.push({ variant: `${variantNames.throttled} ${maxRate}`, ...throttled });
      log(`  ${label}: chats:migrate --max-rate ${maxRate}: ${(throttled.ms / 1000).toFixed(2)} s`);
    } finally {
      await server.drop(run);
    }
  }
  return result;
}

async function sessionSample(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select id from chat_sessions where move_id is not null order by id limit 1000`;
  return rows.map((r) => r.id);
}

/** chats:migrate as a child process with the old-app writer running; ms, the writer, and any failure. */
async function timeCommand(
  server: BenchServer,
  name: string,
  options: BreakdownOptions,
  extra: string[],
): Promise<{ ms: number; writer: WriterResult; failure?: string }> {
  const writerSql = server.client(name);
  const reportDir = mkdtempSync(join(tmpdir(), 'bench-breakdown-'));
  try {
    const writer = startWriter(writerSql, await sessionSample(writerSql));
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: server.urlOf(name) };
    delete env.PGLITE_DATA_DIR;
    const child = await runNodeMeasured(
      ['--import', 'tsx', relative(options.repoRoot, options.script), '--orphans=archive', ...extra],
      env,
      options.repoRoot,
    );
    const stats = await writer.stop();
    const failure =
      child.code === 0 ? undefined : `exit ${child.code}: ${child.stderr.trim().split('\n').at(-1) ?? ''}`;
    return { ms: child.ms, writer: stats, ...(failure ? { failure } : {}) };
  } finally {
    await writerSql.end();
    rmSync(reportDir, { recursive: true, force: true });
  }
}

/**
 * `npm run db:migrate` (the drop), then `npm run db:check` (scripts/db-check.ts) twice on the finished
 * database, as child processes: first without the initdb dump db:check keeps in node_modules/.cache
 * (its first run after an install), then with it. At the expand step live-schema and live-catalog stop
 * early ("behind the migrations"), so the check is timed where it does all its work; it must be clean.
 */
async function timeDbCheck(
  server: BenchServer,
  name: string,
  repoRoot: string,
): Promise<{ coldMs: number; warmMs: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: server.urlOf(name) };
  delete env.PGLITE_DATA_DIR;
  const drop = await runNodeMeasured(['--import', 'tsx', 'scripts/db-migrate.ts'], env, repoRoot);
  if (drop.code !== 0) throw new Error(`db:migrate (the drop) exited ${drop.code}: ${drop.stderr.trim()}`);
  const check = async () => {
    const child = await runNodeMeasured(['--import', 'tsx', 'scripts/db-check.ts'], env, repoRoot);
    if (child.code !== 0)
      throw new Error(`db:check exited ${child.code}: ${child.stdout.trim()} ${child.stderr.trim()}`);
    return child.ms;
  };
  rmSync(join(repoRoot, 'node_modules', '.cache', 'conversations-db'), { recursive: true, force: true });
  const coldMs = await check();
  return { coldMs, warmMs: await check() };
}
