import { jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { moves } from '../../app/schema/core.js';

// The BEFORE shape of seed 000, exactly as a drizzle app of that era declared it: snake_case
// columns, timestamps without time zone, title and content plain nullable text, move_id optional.

export const messageRoleValues = ['user', 'assistant', 'system'] as const;
export const messageRole = pgEnum('message_role', messageRoleValues);

export const chatSessions = pgTable('chat_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  moveId: uuid('move_id').references(() => moves.id),
  title: text('title'),
  createdAt: timestamp('created_at').notNull().defaultNow(),
  updatedAt: timestamp('updated_at').notNull().defaultNow(),
  agentMailInboxId: text('agent_mail_inbox_id'),
  agentMailEmailAddress: text('agent_mail_email_address'),
});

export const chatMessages = pgTable('chat_messages', {
  id: uuid('id').primaryKey().defaultRandom(),
  sessionId: uuid('session_id')
    .notNull()
    .references(() => chatSessions.id),
  role: messageRole('role').notNull(),
  content: text('content'),
  toolCalls: jsonb('tool_calls'),
  metadata: jsonb('metadata'),
  reasoning: text('reasoning'),
  model: text('model'),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
