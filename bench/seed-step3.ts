import type postgres from 'postgres';

/**
 * Seed 000 Step 3, one INSERT ... SELECT per table, as the seed writes it. One change: the seed copies
 * cs.title into conversations.title, which is NOT NULL, so a legacy session without a title would
 * abort the whole statement; it gets the column's default instead.
 */
export const seedStep3 = [
  {
    table: 'conversations',
    sql: `INSERT INTO conversations (id, move_id, title, type, status, created_by, agent_mail_inbox_id,
            agent_mail_email_address, created_at, updated_at)
          SELECT cs.id, cs.move_id, coalesce(cs.title, 'New Conversation'), 'general'::conversation_type,
            'active'::conversation_status, NULL, cs.agent_mail_inbox_id, cs.agent_mail_email_address,
            cs.created_at, cs.updated_at
          FROM chat_sessions cs
          WHERE cs.move_id IS NOT NULL`,
  },
  {
    table: 'messages',
    sql: `INSERT INTO messages (id, conversation_id, author_id, author_type, content, tool_calls, reasoning,
            model, metadata, created_at)
          SELECT cm.id, cm.session_id, NULL,
            CASE WHEN cm.role = 'assistant' THEN 'ai'::author_type
                 WHEN cm.role = 'system' THEN 'system'::author_type
                 ELSE 'user'::author_type END,
            cm.content, cm.tool_calls, cm.reasoning, cm.model, cm.metadata, cm.created_at
          FROM chat_messages cm
          WHERE cm.session_id IN (SELECT id FROM conversations)`,
  },
  {
    table: 'conversation_participants (AI)',
    sql: `INSERT INTO conversation_participants (conversation_id, user_id, participant_type, role)
          SELECT id, NULL, 'ai'::participant_type, 'participant'::participant_role FROM conversations`,
  },
  {
    table: 'conversation_participants (employee owners)',
    sql: `INSERT INTO conversation_participants (conversation_id, user_id, participant_type, role)
          SELECT c.id, u.id, 'employee'::participant_type, 'owner'::participant_role
          FROM conversations c
          JOIN moves m ON c.move_id = m.id
          JOIN employees e ON m.employee_id = e.id
          JOIN users u ON u.email = e.email
          WHERE u.id IS NOT NULL`,
  },
] as const;

/** Runs the four statements one after another (each its own transaction); returns the milliseconds. */
export async function runSeedStep3(sql: postgres.Sql): Promise<number> {
  const started = performance.now();
  for (const step of seedStep3) await sql.unsafe(step.sql);
  return performance.now() - started;
}
