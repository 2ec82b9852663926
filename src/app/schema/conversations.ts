import { bigint, index, pgPolicy, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { conversationsAppRole, inOwnParticipations } from './app-role.js';
import { moves, users } from './core.js';
import { conversationStatus, conversationType } from './enums.js';

// Seed 000 Step 2, column for column. Deviation: timestamps carry the time zone (legacy values are
// read as UTC when moved), so apps in any zone read the same instant. type and status stay nullable
// with defaults, as the seed declares them.
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    moveId: uuid('move_id')
      .notNull()
      .references(() => moves.id, { onDelete: 'cascade' }),
    title: text('title').notNull().default('New Conversation'),
    type: conversationType('type').default('general'),
    status: conversationStatus('status').default('active'),
    createdBy: text('created_by').references(() => users.id),
    agentMailInboxId: text('agent_mail_inbox_id'),
    agentMailEmailAddress: text('agent_mail_email_address'),
    // Kept current on every UPDATE by the trigger in migration 0002 (raw SQL included).
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    // The newest message's created_at, kept by the messages triggers of migration
    // *_conversations_last_message_at_trigger (NULL: no message yet). Not updated_at: a bump of that
    // would reach chat_sessions.updated_at through the cutover's reverse sync once per message.
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    // How many messages the conversation holds, kept by the same messages triggers (migration
    // *_conversations_message_count_trigger). listUserConversations reads it as the unread count of a
    // participant who never read (issue 17): no message is counted per query, however long the
    // conversation, and so no row-level security filter runs per message.
    messageCount: bigint('message_count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    index('idx_conversations_move_id').on(t.moveId),
    index('idx_conversations_status').on(t.status),
    index('idx_conversations_created_by').on(t.createdBy),
    // Row-level security for the app role: a user sees the conversations they take part in. The app
    // role cannot create, change or delete conversations; the owning service does that.
    pgPolicy('conversations_select_as_participant', {
      for: 'select',
      to: conversationsAppRole,
      using: inOwnParticipations(t.id),
    }),
  ],
);
