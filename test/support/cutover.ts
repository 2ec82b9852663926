import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { type Queryable, queryRows } from '../../src/app/database.js';
import { expandStepTag } from '../../src/deploy/expand-step.js';
import { migrateDatabase } from '../../src/deploy/migrate.js';
import type { DatabaseHandle } from '../../src/operator/connect.js';
import { insertLegacyDataset, type LegacyDatasetOptions } from '../../src/operator/legacy-move/index.js';
import { mapSql } from '../../src/operator/legacy-move/mapping.js';
import {
  createServerTestDatabase,
  createTestDatabase,
  hasServer,
  type TestDatabase,
} from './test-database.js';

/**
 * A database as production has it: legacy rows written before the expand step, then migrated to the
 * expand step (the sync on from there). One connection in `handle`.
 */
export async function legacyThenExpanded(
  label: string,
  dataset: LegacyDatasetOptions = { sessions: 40, messagesPerSession: 4, seed: 5 },
): Promise<{ database: TestDatabase; handle: DatabaseHandle }> {
  const database = await createTestDatabase(label, { at: 'legacy' });
  const handle = await database.open({ maxConnections: 1 });
  await insertLegacyDataset(handle.db, dataset);
  await migrateDatabase(handle.db, { to: expandStepTag() });
  return { database, handle };
}

/**
 * A fresh legacyThenExpanded database for every test of the file (a server only: the tests that use it
 * need several connections), its handle told to `onOpen` before each test; `connection()` opens one
 * more to it.
 * The file builds one legacyThenExpanded database before its first test and leaves it closed; each test
 * gets a copy of it (CREATE DATABASE ... TEMPLATE, tens of milliseconds) instead of inserting the
 * dataset and migrating to the expand step again (about a second of server CPU a test).
 * After each test every connection is closed and the copy dropped.
 */
export function legacyThenExpandedPerTest(
  label: string,
  onOpen: (handle: DatabaseHandle) => void,
): { connection: () => Promise<DatabaseHandle> } {
  let template: string | undefined;
  let current: { database: TestDatabase; handle: DatabaseHandle } | undefined;
  const opened: DatabaseHandle[] = [];
  beforeAll(async () => {
    if (!hasServer) return;
    const built = await legacyThenExpanded(`${label}_template`);
    // A template must have nobody connected while it is copied.
    await built.handle.close();
    template = databaseNameOf(built.database);
  });
  beforeEach(async () => {
    if (!hasServer || template === undefined) return;
    const database = await createServerTestDatabase(label, template);
    current = { database, handle: await database.open({ maxConnections: 1 }) };
    onOpen(current.handle);
  });
  afterEach(async () => {
    for (const h of opened.splice(0)) await h.close();
    await current?.handle.close();
    await current?.database.drop();
    current = undefined;
  });
  return {
    connection: async () => {
      if (!current) throw new Error('connection(): no database is open (a server only, inside a test)');
      const h = await current.database.open({ maxConnections: 1 });
      opened.push(h);
      return h;
    },
  };
}

function databaseNameOf(database: TestDatabase): string {
  if (database.url === undefined) throw new Error('databaseNameOf: a server database has a URL');
  return decodeURIComponent(new URL(database.url).pathname.slice(1));
}

/**
 * Row-for-row equality of the two shapes, checked independently of legacy_chat_differences: every
 * conversation and message mapped back to the legacy shape (the reverse mapping of mapping.ts, the
 * one the down of the drop uses) against the legacy rows of sessions that have a conversation, both
 * ways (EXCEPT ALL). Returns the ids found on one side only, or differing.
 */
export async function shapesDiffer(db: Queryable): Promise<{ sessions: string[]; messages: string[] }> {
  const sessions = await queryRows<{ id: string }>(
    db,
    sql.raw(`
    with from_new as (
      select c.id, ${mapSql.legacyMoveId('c.move_id', 'l.assigned_move_id')} as move_id,
             ${mapSql.legacyTitle('c.title', 'l.title_was_null')} as title,
             ${mapSql.legacyTimestamp('c.created_at')} as created_at, ${mapSql.legacyTimestamp('c.updated_at')} as updated_at,
             c.agent_mail_inbox_id, c.agent_mail_email_address
      from conversations c left join legacy_chat_moved_sessions l on l.session_id = c.id),
    legacy as (
      select cs.id, cs.move_id, cs.title, cs.created_at, cs.updated_at, cs.agent_mail_inbox_id, cs.agent_mail_email_address
      from chat_sessions cs
      where cs.move_id is not null or exists (select 1 from legacy_chat_moved_sessions l where l.session_id = cs.id))
    select id::text from ((table from_new except all table legacy) union all (table legacy except all table from_new)) d
    order by 1`),
  );
  const messages = await queryRows<{ id: string }>(
    db,
    sql.raw(`
    with from_new as (
      select m.id, m.conversation_id as session_id, ${mapSql.legacyRole('m.author_type')} as role,
             ${mapSql.legacyContent('m.content', 'lm.content_was_null')} as content, m.tool_calls::text, m.metadata::text,
             m.reasoning, m.model, ${mapSql.legacyTimestamp('m.created_at')} as created_at
      from messages m left join legacy_chat_moved_messages lm on lm.message_id = m.id),
    legacy as (
      select cm.id, cm.session_id, cm.role, cm.content, cm.tool_calls::text, cm.metadata::text, cm.reasoning, cm.model, cm.created_at
      from chat_messages cm
      where exists (select 1 from conversations c where c.id = cm.session_id))
    select id::text from ((table from_new except all table legacy) union all (table legacy except all table from_new)) d
    order by 1`),
  );
  return { sessions: sessions.map((r) => r.id), messages: messages.map((r) => r.id) };
}

/**
 * An old-app transaction that ran `write` (its sync trigger included) and stays open until `commit()`
 * or `rollback()`; `done` settles when it has ended.
 */
export async function heldOpen(db: DatabaseHandle['db'], write: (tx: Queryable) => Promise<unknown>) {
  let end: (how: 'commit' | 'rollback') => void = () => {};
  const ended = new Promise<'commit' | 'rollback'>((resolve) => {
    end = resolve;
  });
  let written = () => {};
  const writing = new Promise<void>((resolve) => {
    written = resolve;
  });
  const rolledBack = new Error('heldOpen: rolled back on purpose');
  const done = db
    .transaction(async (tx) => {
      await write(tx);
      written();
      if ((await ended) === 'rollback') throw rolledBack;
    })
    .catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
  await writing;
  return { commit: () => end('commit'), rollback: () => end('rollback'), done };
}

/** Runs `write` again when the server chose it as a deadlock or serialization victim, as an app would. */
export async function retried<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const code = codeOf(error);
      if (attempt >= 20 || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
