import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { type Database, type Queryable, queryRows } from '../../src/app/database.js';
import type { DatabaseHandle } from '../../src/operator/connect.js';
import { moveTargetTables as movedTables } from '../../src/operator/legacy-move/preconditions.js';
import { repoRoot } from './run.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** Runs `ddl`, statement by statement (PGlite's extended protocol takes one at a time). */
export async function runStatements(db: Queryable, ddl: string): Promise<void> {
  for (const statement of ddl.split(';').filter((s) => s.replace(/--.*$/gm, '').trim())) {
    await db.execute(sql.raw(statement));
  }
}

/** The app's database before this package: users, employees, moves and the legacy chat tables, empty. */
export async function createLegacyTables(db: Queryable): Promise<void> {
  await runStatements(db, readFileSync(resolve(repoRoot, 'test/fixtures/legacy-before.sql'), 'utf8'));
}

/**
 * A fresh database at the expand step (legacy tables, new tables, ledger), with one open connection.
 * The mover's own tests insert legacy rows after the expand step and want them to reach the new tables
 * only through chats:migrate, as rows written before the expand step do: so by default the sync's
 * triggers are removed again (`sync: true` keeps them; test/cutover-*.test.ts test the two together).
 */
export async function expandedDatabase(
  label: string,
  options: { sync?: boolean } = {},
): Promise<{ database: TestDatabase; handle: DatabaseHandle }> {
  const database = await createTestDatabase(label, { at: 'expanded' });
  const handle = await database.open({ maxConnections: 1 });
  if (!options.sync) await removeSync(handle.db);
  return { database, handle };
}

/** Removes the sync's triggers (the functions stay): legacy and new tables then only meet through chats:migrate. */
export async function removeSync(db: Queryable): Promise<void> {
  await db.execute(sql`select conversations_cutover.legacy_chat_sync_uninstall()`);
}

export interface HostRows {
  moveId: string;
  employeeId: string;
  userId: string | undefined;
}

/** A move of an employee with `email`; users are created with the given emails (none, one, or two). */
export async function insertMove(
  db: Queryable,
  email: string,
  userEmails: string[] = [email],
): Promise<HostRows> {
  const [employee] = await queryRows<{ id: string }>(
    db,
    sql`insert into employees (email) values (${email}) returning id::text`,
  );
  let userId: string | undefined;
  for (const userEmail of userEmails) {
    const id = `u_${randomUUID().slice(0, 8)}`;
    await db.execute(sql`insert into users (id, email) values (${id}, ${userEmail})`);
    userId ??= id;
  }
  const [move] = await queryRows<{ id: string }>(
    db,
    sql`insert into moves (employee_id) values (${employee?.id}::uuid) returning id::text`,
  );
  if (!move || !employee) throw new Error('host rows not inserted');
  return { moveId: move.id, employeeId: employee.id, userId };
}

export interface LegacySession {
  id?: string;
  moveId?: string | null;
  title?: string | null;
  createdAt?: string;
  updatedAt?: string;
  agentMailInboxId?: string | null;
  agentMailEmailAddress?: string | null;
}

export async function insertSession(db: Queryable, s: LegacySession = {}): Promise<string> {
  const id = s.id ?? randomUUID();
  await db.execute(sql`
    insert into chat_sessions (id, move_id, title, created_at, updated_at, agent_mail_inbox_id, agent_mail_email_address)
    values (${id}::uuid, ${s.moveId ?? null}::uuid, ${s.title === undefined ? 'A chat' : s.title},
            ${s.createdAt ?? '2025-03-01 10:00:00.123456'}::timestamp, ${s.updatedAt ?? '2025-03-02 11:30:00.654321'}::timestamp,
            ${s.agentMailInboxId ?? null}, ${s.agentMailEmailAddress ?? null})`);
  return id;
}

export interface LegacyMessage {
  id?: string;
  role?: 'user' | 'assistant' | 'system';
  content?: string | null;
  toolCalls?: unknown;
  metadata?: unknown;
  reasoning?: string | null;
  model?: string | null;
  createdAt?: string;
}

export async function insertMessage(
  db: Queryable,
  sessionId: string,
  m: LegacyMessage = {},
): Promise<string> {
  const id = m.id ?? randomUUID();
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  await db.execute(sql`
    insert into chat_messages (id, session_id, role, content, tool_calls, metadata, reasoning, model, created_at)
    values (${id}::uuid, ${sessionId}::uuid, ${m.role ?? 'user'}, ${m.content === undefined ? 'Hello' : m.content},
            ${json(m.toolCalls)}::jsonb, ${json(m.metadata)}::jsonb, ${m.reasoning ?? null}, ${m.model ?? null},
            ${m.createdAt ?? '2025-03-01 10:05:00.000001'}::timestamp)`);
  return id;
}

/** md5 of every row of a table in id order: equal checksums, equal contents. */
export async function tableChecksum(db: Queryable, table: string, key = 'id'): Promise<string> {
  const [row] = await queryRows<{ sum: string | null }>(
    db,
    sql`select md5(coalesce(string_agg(t::text, '|' order by t.${sql.identifier(key)}::text), '')) as sum
        from ${sql.identifier(table)} t`,
  );
  return row?.sum ?? '';
}

export { movedTables };

/** Checksums of the legacy tables, the new tables and the ledger. */
export async function checksums(db: Queryable): Promise<Record<string, string>> {
  const keys: Record<string, string> = {
    chat_session_archive: 'session_id',
    legacy_chat_moved_sessions: 'session_id',
    legacy_chat_moved_messages: 'message_id',
    legacy_chat_cutover: 'singleton',
  };
  const out: Record<string, string> = {};
  for (const table of ['chat_sessions', 'chat_messages', ...movedTables]) {
    out[table] = await tableChecksum(db, table, keys[table] ?? 'id');
  }
  return out;
}

/**
 * Runs `write` in one transaction that the sync skips (as if its triggers were off): the legacy and the
 * new tables then differ, as they did for writes made before the expand step, or with the sync broken.
 */
export async function withoutSync(db: Database, write: (tx: Queryable) => Promise<unknown>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select conversations_cutover.legacy_chat_sync_mark()`);
    await write(tx);
  });
}

export async function count(db: Queryable, from: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql.raw(`select count(*)::int as n from ${from}`));
  return row?.n ?? 0;
}
