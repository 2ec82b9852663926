import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../database.js';

// Rows of the legacy chat tables, for tests of the move and the cutover. Raw SQL on purpose: legacy
// timestamps carry microseconds, which a JS Date (drizzle's timestamp mode) would round away.

export interface LegacyHostRows {
  moveId: string;
  employeeId: string;
  /** The first user created, if any. */
  userId: string | undefined;
}

/**
 * A move of an employee with `email`, and users with `userEmails` (default: one, the same email; pass
 * none for a move whose owner matches no user, two for an ambiguous owner).
 */
export async function createLegacyMove(
  db: Queryable,
  email: string,
  userEmails: string[] = [email],
): Promise<LegacyHostRows> {
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
  if (!move || !employee) throw new Error('createLegacyMove: the inserts returned no row.');
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

/** A chat_sessions row; returns its id. Timestamps are legacy `timestamp` text (read as UTC by the move). */
export async function createLegacySession(db: Queryable, s: LegacySession = {}): Promise<string> {
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

/** A chat_messages row in session `sessionId`; returns its id. */
export async function createLegacyMessage(
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
