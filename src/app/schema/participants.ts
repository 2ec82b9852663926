import { sql } from 'drizzle-orm';
import { check, index, pgPolicy, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { conversationsAppRole, currentUserId, inUserConversations } from './app-role.js';
import { conversations } from './conversations.js';
import { users } from './core.js';
import { participantRole, participantType } from './enums.js';

export const conversationParticipants = pgTable(
  'conversation_participants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    participantType: participantType('participant_type').notNull(),
    role: participantRole('role').default('participant'),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    lastReadAt: timestamp('last_read_at', { withTimezone: true }),
  },
  (t) => [
    index('idx_participants_conversation_id').on(t.conversationId),
    index('idx_participants_user_id').on(t.userId),
    // Added for row-level security (issue 17): every policy asks for the current user's conversation
    // set (conversations_security.current_user_conversation_ids() and the postable set), once per
    // query and table. With conversation_id and role in the index that lookup is an index-only scan;
    // through idx_participants_user_id it visits one heap page per conversation of the user (0.1 to
    // 0.2 ms a call at 13 to 113 conversations, the app role's whole fixed cost on a page query).
    index('idx_participants_user_conversation_role').on(t.userId, t.conversationId, t.role),
    uniqueIndex('idx_participants_conversation_user').on(t.conversationId, t.userId),
    // Deviation from seed 000: the unique index above treats NULL user_ids as distinct, so a re-run
    // of the legacy move could add a second AI participant. One user-less participant per type.
    uniqueIndex('idx_participants_conversation_type_no_user')
      .on(t.conversationId, t.participantType)
      .where(sql`${t.userId} IS NULL`),
    // Deviation from seed 000: only the AI and system participants may lack a user.
    check(
      'conversation_participants_human_has_user',
      sql`${t.participantType} NOT IN ('employee', 'admin', 'vendor') OR ${t.userId} IS NOT NULL`,
    ),
    // Row-level security for the app role: a participant sees everyone in their conversations, and
    // may update their own row (the grant limits that to last_read_at). Adding or removing
    // participants is left to the owning service.
    // The user's own rows pass on the first test, which calls no function (current_user_id() is
    // inlined): listUserConversations reads only those, so its conversation set is never built here
    // (one set call fewer per list, issue 17). The first test implies the second, so the rows seen
    // are the same as with the second alone.
    pgPolicy('participants_select_as_participant', {
      for: 'select',
      to: conversationsAppRole,
      using: sql`${t.userId} = ${currentUserId} or ${inUserConversations(t.conversationId)}`,
    }),
    pgPolicy('participants_update_own_row', {
      for: 'update',
      to: conversationsAppRole,
      using: sql`${t.userId} = ${currentUserId}`,
      withCheck: sql`${t.userId} = ${currentUserId}`,
    }),
  ],
);
