import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { type DatabaseHandle, openDatabase } from '../connect.js';
import { queryRows } from '../database.js';
import { LegacyMoveRefusedError } from '../legacy-move/errors.js';
import {
  insertLegacyDataset,
  moveLegacyChats,
  planLegacyMove,
  readableError,
  validateLegacyMove,
} from '../legacy-move/index.js';
import { expandStepTag } from '../migrator/expand-step.js';
import { migrateDatabase } from '../migrator/migrate.js';
import { defineCommand } from './command.js';
import { openCommandDatabase } from './database.js';
import type { CommandIo } from './io.js';
import { positiveInteger } from './move-flags.js';
import { formatMoveResult, formatPlan, formatValidation } from './move-output.js';

const help = `
Usage: npm run demo -- [--sessions <n>]

The legacy chat move end to end, on a fresh database: the migration chain up to the expand step, a
realistic generated legacy dataset (orphans, NULL titles and content, email metadata, mentions,
unknown metadata keys, owners matching exactly, in another case, not at all, or twice), then the
plan, the move, the validation, the guarded drop (first refused, then applied) and a summary.

Without DATABASE_URL: an embedded PGlite database in .data/demo, recreated on every run (inspect it
afterwards with PGLITE_DATA_DIR=.data/demo). With DATABASE_URL: that database, which must be empty
(no tables, no migration history); the demo refuses any other, so it can never touch real data.

  --sessions <n>   legacy sessions to generate (default 300)
  --help           show this help

Exit codes: 0 the demo ran and validation passed, 1 a step found a problem, 2 could not run.
`;

export const demo = defineCommand({
  name: 'demo',
  summary: 'the legacy chat move end to end on a fresh database',
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
  const [row] = await queryRows<{ tables: number; history: boolean }>(
    handle.db,
    sql`select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm'))::int as tables,
               to_regclass('drizzle.__drizzle_migrations') is not null as history`,
  );
  if ((row?.tables ?? 0) > 0 || row?.history) {
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
  const step = (n: number, title: string) => out(`\n== ${n}. ${title}\n`);

  out(`Database: ${handle.target}`);
  step(1, 'The migration chain up to the expand step');
  const expand = expandStepTag();
  const expanded = await migrateDatabase(db, { to: expand });
  out(`Applied: ${expanded.applied.join(', ')}`);
  out(`Left pending: ${expanded.leftPending.join(', ')}`);

  step(2, 'A legacy dataset, as the old app left it');
  const data = await insertLegacyDataset(db, { sessions, seed: 2024 });
  out(
    `${data.sessions} chat_sessions (${data.orphanSessions} without a move, ${data.nullTitles} with a NULL title), ` +
      `${data.messages} chat_messages (${data.nullContents} with NULL content, ${data.emailMessages} emails, ` +
      `${data.mentionMessages} with mentions), ${data.moves} moves of ${data.employees} employees, ${data.users} users.`,
  );

  step(3, 'The guarded drop, tried before the move');
  try {
    await migrateDatabase(db);
    out('Unexpected: the drop applied before the move.');
    return 1;
  } catch (error) {
    out(`Refused, as it must be: ${readableError(error).message}`);
  }

  step(4, 'npm run chats:plan (dry run)');
  out(formatPlan(await planLegacyMove(db)));

  step(5, 'npm run chats:migrate');
  out(formatMoveResult(await moveLegacyChats(db, { batchSize: 500 })));

  step(6, 'npm run chats:validate');
  const validation = await validateLegacyMove(db);
  out(formatValidation(validation));
  if (!validation.ok) return 1;

  step(7, 'npm run db:migrate (the guarded drop)');
  const dropped = await migrateDatabase(db);
  out(`Applied: ${dropped.applied.join(', ')}`);

  step(8, 'Summary');
  const [after] = await queryRows<{
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
    `${after?.conversations} conversations with ${after?.messages} messages, ${after?.ai} AI participants, ` +
      `${after?.owners} employee owners; ${after?.archived} orphan sessions archived with their messages. ` +
      `Legacy tables ${after?.legacy ? 'still present' : 'dropped'}.`,
  );
  if (!io.env.DATABASE_URL) out(`Inspect it: PGLITE_DATA_DIR=${demoDir} npx drizzle-kit studio`);
  return 0;
}
