import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { AnyPgDatabase } from '../conversations-schema.js';
import { executePrepared } from '../prepared.js';
import { conversations } from '../schema/conversations.js';
import { messages } from '../schema/messages.js';
import { conversationParticipants } from '../schema/participants.js';

export interface UserConversationsParams {
  userId: string;
  /** default 50 */
  limit?: number;
}

const participant = conversationParticipants;

/**
 * The query behind {@link listUserConversations}, as drizzle sends it. The user's participant rows come
 * from an index on user_id (idx_participants_user_id, or the policies' covering
 * idx_participants_user_conversation_role, as the planner likes), their conversations by primary key (whose last_message_at the
 * messages triggers keep, so no message is read to order them); for each, the unread count: for a
 * participant who never read, the conversation's message_count (kept by the same triggers: no message
 * is read); otherwise one lateral count of the messages after last_read_at on
 * idx_messages_conversation_created_at (an index-only range scan from last_read_at).
 */
export function userConversationsQuery(db: AnyPgDatabase, params: UserConversationsParams) {
  const unread = db
    .select({ count: count().as('unread_count') })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, participant.conversationId),
        // Only for a participant who has read: a one-time filter, so for one who never read the count
        // reads no message at all (their unread count is the conversation's message_count, below).
        sql`${participant.lastReadAt} is not null`,
        // A plain comparison of two timestamptz columns is leakproof, so under row-level security it
        // stays the index condition of a range scan from last_read_at (coalesce() is not leakproof and
        // would leave the scan walking every message of the conversation).
        sql`${messages.createdAt} > ${participant.lastReadAt}`,
      ),
    )
    .as('unread');
  // A conversation without messages ranks by its own last change.
  const latestActivity = sql<Date>`coalesce(${conversations.lastMessageAt}, ${conversations.updatedAt})`;
  return db
    .select({
      id: conversations.id,
      moveId: conversations.moveId,
      title: conversations.title,
      type: conversations.type,
      status: conversations.status,
      role: participant.role,
      lastReadAt: participant.lastReadAt,
      lastMessageAt: conversations.lastMessageAt,
      updatedAt: conversations.updatedAt,
      // Never read: every message is unread, and the messages triggers keep their number.
      unreadCount:
        sql<number>`case when ${participant.lastReadAt} is null then ${conversations.messageCount} else ${unread.count} end`.mapWith(
          Number,
        ),
    })
    .from(participant)
    .innerJoin(conversations, eq(conversations.id, participant.conversationId))
    .leftJoinLateral(unread, sql`true`)
    .where(eq(participant.userId, params.userId))
    .orderBy(desc(latestActivity), desc(conversations.id))
    .limit(params.limit ?? 50);
}

export type UserConversation = Awaited<ReturnType<typeof userConversationsQuery>>[number];

/**
 * The conversations a user takes part in, by latest activity (lastMessageAt, else the conversation's
 * updatedAt) first, each with the number of messages after the user's last_read_at.
 */
export async function listUserConversations(
  db: AnyPgDatabase,
  params: UserConversationsParams,
): Promise<UserConversation[]> {
  const rows = await executePrepared(userConversationsQuery(db, params), 'cdb_user_conversations');
  // Drivers return count(*) (bigint) as a string; the caller gets a number.
  return rows.map((row) => ({ ...row, unreadCount: Number(row.unreadCount) }));
}
