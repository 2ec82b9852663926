import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Legacy chat sessions that could not become conversations (no move), kept whole so that nothing
 * is lost: the session row and its messages as jsonb, why it was archived, and when.
 */
export const chatSessionArchive = pgTable('chat_session_archive', {
  sessionId: uuid('session_id').primaryKey(),
  session: jsonb('session').notNull(),
  messages: jsonb('messages').notNull().default([]),
  reason: text('reason').notNull(),
  archivedAt: timestamp('archived_at', { withTimezone: true }).notNull().defaultNow(),
});
