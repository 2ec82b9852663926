import { sql } from 'drizzle-orm';
import { index, jsonb, pgPolicy, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import {
  conversationsAppRole,
  currentUserId,
  inOwnParticipations,
  inPostableConversations,
} from './app-role.js';
import { conversations } from './conversations.js';
import { users } from './core.js';
import { authorType } from './enums.js';
import type { MessageMetadata } from './message-metadata.js';

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    authorType: authorType('author_type').notNull().default('user'),
    content: text('content').notNull(),
    toolCalls: jsonb('tool_calls'),
    reasoning: text('reasoning'),
    model: text('model'),
    metadata: jsonb('metadata').$type<MessageMetadata>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('idx_messages_conversation_id').on(t.conversationId),
    index('idx_messages_author_id').on(t.authorId),
    // The seed's plain DESC is NULLS FIRST; drizzle's .desc() alone would emit NULLS LAST, which
    // ORDER BY created_at DESC (as drizzle's desc() sends it) cannot use.
    index('idx_messages_created_at').on(t.createdAt.desc().nullsFirst()),
    // Added for the query every chat screen runs: a conversation's messages newest first, paged by
    // the keyset (created_at, id). It also serves unread counts (created_at > last_read_at).
    index('idx_messages_conversation_created_at').on(
      t.conversationId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // Row-level security for the app role: a participant reads the messages of their conversations;
    // posts only as themselves, as a user (not as the AI or the system), and not as an observer.
    // Messages cannot be edited or deleted through the app role.
    pgPolicy('messages_select_as_participant', {
      for: 'select',
      to: conversationsAppRole,
      using: inOwnParticipations(t.conversationId),
    }),
    pgPolicy('messages_insert_as_self', {
      for: 'insert',
      to: conversationsAppRole,
      withCheck: sql`${t.authorId} = ${currentUserId} and ${t.authorType} operator(pg_catalog.=) 'user' and ${inPostableConversations(t.conversationId)}`,
    }),
  ],
);
