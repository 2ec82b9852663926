import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { counted } from '../../app/counted.js';
import { queryRow, queryRows } from '../../app/database.js';
import { expandStepTag } from '../../deploy/expand-step.js';
import { legacyBaselineTag } from '../../deploy/legacy-baseline-tag.js';
import { migrateDatabase } from '../../deploy/migrate.js';
import { type DatabaseHandle, openDatabase } from '../connect.js';
import { goLive, readCutoverStatus } from '../cutover/index.js';
import { LegacyMoveRefusedError } from '../legacy-move/errors.js';
import {
  insertLegacyDataset,
  moveLegacyChats,
  planLegacyMove,
  readableError,
  validateLegacyMove,
} from '../legacy-move/index.js';
import { defineCommand } from './command.js';
import { formatCutoverStatus } from './cutover-output.js';
import { openCommandDatabase } from './database.js';
import type { CommandIo } from './io.js';
import { dumpLegacyTables } from './legacy-backup.js';
import { positiveInteger } from './move-flags.js';
import { formatMoveResult, formatPlan, formatValidation } from './move-output.js';

const help = `
Usage: npm run demo -- [--sessions <n>]

The cutover runbook end to end, on a fresh database: a realistic generated legacy dataset in the old
app's tables (orphans, NULL titles and content, email metadata, mentions, unknown metadata keys, owners
matching exactly, in another case, not at all, or twice), its backup (pg_dump, on a server), the expand
step with the sync on, the guarded drop refused, the plan, the backfill, the validation, an old-app write
synced forward, go-live, a new-app write synced back, the validation both ways, the drop, a summary.

Without DATABASE_URL: an embedded PGlite database in .data/demo, recreated on every run (inspect it
afterwards with PGLITE_DATA_DIR=.data/demo). With DATABASE_URL: that database, which must be empty
(no tables, no migration history); the demo refuses any other, so it can never touch real data.

  --sessions <n>   legacy sessions to generate (default 300)
  --help           show this help

Exit codes: 0 the demo ran and validation passed, 1 a step found a problem, 2 could not run.
`;

export const demo = defineCommand({
  name: 'demo',
  summary: 'the cutover runbook end to end on a fresh database',
  help,
  flags: { sessions: { type: 'string' } },
  interrupted:
    'the demo database is left at the step it reached. Run `npm run demo` again: without DATABASE_URL it starts over; with it, point DATABASE_URL at an empty database again.',
  parse: (flags) => ({ sessions: positiveInteger('sessions', flags.sessions) ?? 300 }),
  execute: async ({ sessions }, io) => {
    // DEMO_DATA_DIR lets the tests run the demo without touching a developer's .data/demo.
    const demoDir = resolve(io.cwd, io.env.DEMO_DATA_DIR ?? '.data/demo');
    const handle = await openDemoDatabase(io, demoDir);
    try {
      return await runDemo(handle, sessions, io, demoDir);
    } catch (error) {
      throw readableError(error);
    } finally {
      await handle.close().catch(() => {});
    }
  },
});

async function openDemoDatabase(io: CommandIo, demoDir: string): Promise<DatabaseHandle> {
  if (!io.env.DATABASE_URL) {
    rmSync(demoDir, { recursive: true, force: true });
    return openDatabase({ pgliteDir: demoDir });
  }
  const handle = await openCommandDatabase(io);
  const row = await queryRow<{ tables: number; history: boolean }>(
    handle.db,
    sql`select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm'))::int as tables,
               to_regclass('drizzle.__drizzle_migrations') is not null as history`,
  );
  if (row.tables > 0 || row.history) {
    await handle.close();
    throw new LegacyMoveRefusedError(
      `demo refused: ${handle.target} is not empty. The demo builds its own schema and data; point DATABASE_URL at an empty database (createdb conversations_demo) or unset it to use embedded PGlite.`,
    );
  }
  return handle;
}

async function runDemo(
  handle: DatabaseHandle,
  sessions: number,
  io: CommandIo,
  demoDir: string,
): Promise<number> {
  const { db } = handle;
  const out = (text = '') => io.stdout.write(`${text}\n`);
  let n = 0;
  const step = (title: string) => out(`\n== ${++n}. ${title}\n`);

  out(`Database: ${handle.target}`);
  step("The old app's database: the legacy tables, as the old app left them");
  await migrateDatabase(db, { to: legacyBaselineTag });
  const data = await insertLegacyDataset(db, { sessions, seed: 2024 });
  out(
    `${data.sessions} chat_sessions (${data.orphanSessions} without a move, ${data.nullTitles} with a NULL title), ` +
      `${data.messages} chat_messages (${data.nullContents} with NULL content, ${data.emailMessages} emails, ` +
      `${data.mentionMessages} with mentions), ${counted(data.moves, 'move')} of ${counted(data.employees, 'employee')}, ${counted(data.users, 'user')}.`,
  );

  step('Backup of the legacy tables (pg_dump), before anything changes');
  const url = io.env.DATABASE_URL;
  if (!url) {
    out(
      'Skipped: the embedded PGlite database has no pg_dump. On a server: pg_dump --table=public.chat_sessions --table=public.chat_messages --file=legacy-chats.sql "$DATABASE_URL".',
    );
  } else {
    const backup = dumpLegacyTables(
      url,
      join(mkdtempSync(join(tmpdir(), 'demo-backup-')), 'legacy-chats.sql'),
    );
    if (!backup) out('Skipped: pg_dump is not installed here.');
    else {
      const live = await counts(db);
      const complete =
        backup.rows.chat_sessions === live.sessions && backup.rows.chat_messages === live.messages;
      out(
        `${backup.file}: ${counted(backup.rows.chat_sessions, 'session')} and ${counted(backup.rows.chat_messages, 'message')} ` +
          `(${complete ? 'every legacy row' : `MISSING ROWS: the tables hold ${live.sessions} and ${live.messages}`}).`,
      );
      if (!complete) return 1;
    }
  }

  step('Expand: the new tables, the ledger and the sync (npm run db:migrate -- --to <expand>)');
  const expanded = await migrateDatabase(db, { to: expandStepTag() });
  out(`Applied: ${expanded.applied.join(', ')}`);
  out(`Left pending: ${expanded.leftPending.join(', ')}`);
  out(formatCutoverStatus(await readCutoverStatus(db)));

  step('The guarded drop, tried before the backfill');
  try {
    await migrateDatabase(db);
    out('Unexpected: the drop applied before the move.');
    return 1;
  } catch (error) {
    out(`Refused, as it must be: ${readableError(error).message}`);
  }

  step('npm run chats:plan (dry run)');
  out(formatPlan(await planLegacyMove(db)));

  step('npm run chats:migrate (the backfill of what existed before the sync)');
  out(formatMoveResult(await moveLegacyChats(db, { batchSize: 500 })));

  step('npm run chats:validate');
  const validation = await validateLegacyMove(db);
  out(formatValidation(validation));
  if (!validation.ok) return 1;

  step('The old app writes on: the sync carries it to the new tables in the same transaction');
  const [session] = await queryRows<{ id: string }>(
    db,
    sql`select session_id::text as id from legacy_chat_moved_sessions order by session_id limit 1`,
  );
  const [oldWrite] = await queryRows<{ id: string }>(
    db,
    sql`insert into chat_messages (session_id, role, content) values (${session?.id}::uuid, 'user', 'sent from the old app') returning id::text`,
  );
  out(
    `chat_messages ${oldWrite?.id} -> messages: ${await countWhere(db, sql`select count(*)::int as n from messages where id = ${oldWrite?.id}::uuid`)} row`,
  );

  step('npm run chats:cutover (go-live: the new tables win from now on)');
  const live = await goLive(db);
  out(`The new app is live since ${live.liveAt.toISOString()}.`);

  step(
    'The new app writes: the reverse sync keeps the legacy tables current (switching back stays possible)',
  );
  const [newWrite] = await queryRows<{ id: string }>(
    db,
    sql`with c as (insert into conversations (move_id, title, type) select move_id, 'Born in the new app', 'moving'
                   from conversations order by id limit 1 returning id)
        insert into messages (conversation_id, author_type, content) select id, 'ai', 'hello from the new app' from c
        returning conversation_id::text as id`,
  );
  out(
    `conversations ${newWrite?.id} -> chat_sessions: ${await countWhere(db, sql`select count(*)::int as n from chat_sessions where id = ${newWrite?.id}::uuid`)} row, its message -> chat_messages: ${await countWhere(db, sql`select count(*)::int as n from chat_messages where session_id = ${newWrite?.id}::uuid`)} row`,
  );
  const afterLive = await validateLegacyMove(db);
  out(formatValidation(afterLive));
  if (!afterLive.ok) return 1;
  out(formatCutoverStatus(await readCutoverStatus(db)));

  step('After the retention period: npm run db:migrate (the guarded drop; it checks equality, not the date)');
  const dropped = await migrateDatabase(db);
  out(`Applied: ${dropped.applied.join(', ')}`);

  step('Summary');
  const after = await queryRow<{
    conversations: number;
    messages: number;
    ai: number;
    owners: number;
    archived: number;
    legacy: boolean;
  }>(
    db,
    sql`select (select count(*) from conversations)::int as conversations, (select count(*) from messages)::int as messages,
               (select count(*) from conversation_participants where participant_type = 'ai')::int as ai,
               (select count(*) from conversation_participants where participant_type = 'employee')::int as owners,
               (select count(*) from chat_session_archive)::int as archived,
               to_regclass('public.chat_sessions') is not null as legacy`,
  );
  out(
    `${counted(after.conversations, 'conversation')} with ${counted(after.messages, 'message')}, ${counted(after.ai, 'AI participant')}, ` +
      `${counted(after.owners, 'employee owner')}; ${counted(after.archived, 'orphan session')} archived with their messages. ` +
      `Legacy tables ${after.legacy ? 'still present' : 'dropped'}.`,
  );
  if (!io.env.DATABASE_URL) out(`Inspect it: PGLITE_DATA_DIR=${demoDir} npx drizzle-kit studio`);
  return 0;
}

async function counts(db: DatabaseHandle['db']): Promise<{ sessions: number; messages: number }> {
  return queryRow<{ sessions: number; messages: number }>(
    db,
    sql`select (select count(*) from chat_sessions)::int as sessions, (select count(*) from chat_messages)::int as messages`,
  );
}

async function countWhere(db: DatabaseHandle['db'], query: ReturnType<typeof sql>): Promise<number> {
  return (await queryRow<{ n: number }>(db, query)).n;
}
