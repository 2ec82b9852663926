import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { conversations } from './conversations.js';

// The ledger of the legacy chat move (npm run chats:migrate). It records exactly what the move
// created, so that a re-run converges (a legacy row deleted -> only ITS copy is deleted, never a row
// the new app wrote), a rollback removes only the move's rows, and the down migration of the drop can
// rebuild chat_sessions / chat_messages losslessly: it says what the mapping replaced (a NULL title
// became 'New Conversation', a NULL content became '', a NULL move_id was assigned a move).
// Kept lean on purpose (narrow rows, primary keys only): the move writes one ledger row per message.

/** One row per conversation the move created from a legacy chat session (same id). */
export const legacyMovedSessions = pgTable('legacy_chat_moved_sessions', {
  sessionId: uuid('session_id')
    .primaryKey()
    .references(() => conversations.id, { onDelete: 'cascade' }),
  /** chat_sessions.title was NULL; the conversation got 'New Conversation'. */
  titleWasNull: boolean('title_was_null').notNull().default(false),
  /** chat_sessions.move_id was NULL and the move attached the session to this move (--orphans=assign). */
  assignedMoveId: uuid('assigned_move_id'),
  /** The employee owner participant the move inserted (moves -> employees -> users by email), if any. */
  ownerUserId: text('owner_user_id'),
  movedAt: timestamp('moved_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One row per message the move created from a legacy chat message (same id). No foreign key to
 * messages on purpose: checking it would lock every freshly moved message row FOR KEY SHARE, which
 * costs the move dearly at a million rows; the mover deletes ledger rows whose message is gone, and
 * every reader joins messages.
 */
export const legacyMovedMessages = pgTable('legacy_chat_moved_messages', {
  messageId: uuid('message_id').primaryKey(),
  /** chat_messages.content was NULL; the message got '' (messages.content is NOT NULL). */
  contentWasNull: boolean('content_was_null').notNull().default(false),
});
