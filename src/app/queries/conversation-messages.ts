import { and, desc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { AnyPgDatabase } from '../conversations-schema.js';
import { executePrepared } from '../prepared.js';
import { messages } from '../schema/messages.js';
import type { Message } from '../types.js';

/**
 * Where the next page starts: the (created_at, id) of the oldest message of the previous page.
 * createdAt is PostgreSQL's own text of the timestamp, so its microseconds survive (a JavaScript Date
 * would cut them and the next page would skip or repeat messages).
 */
export interface MessageCursor {
  createdAt: string;
  id: string;
}

export interface ConversationMessagesParams {
  conversationId: string;
  /** Page size; default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  before?: MessageCursor | undefined;
}

export interface MessagePage {
  /** Newest first. */
  messages: Message[];
  /** Pass as `before` to get the next (older) page; undefined when there is none. */
  nextCursor: MessageCursor | undefined;
}

/**
 * The query behind {@link listConversationMessages}, as drizzle sends it: a conversation's messages
 * newest first, keyset-paged on (created_at, id). Served by idx_messages_conversation_created_at
 * (conversation_id, created_at DESC, id DESC): one index range scan that stops after limit + 1 rows,
 * however long the conversation. The cursor is bound as values, not looked up in a subquery: with a
 * subquery the planner cannot see the cursor's time and may walk idx_messages_created_at instead.
 */
export function conversationMessagesQuery(db: AnyPgDatabase, params: ConversationMessagesParams) {
  const limit = params.limit ?? 50;
  const before = params.before;
  return db
    .select({ ...getTableColumns(messages), cursorCreatedAt: sql<string>`${messages.createdAt}::text` })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, params.conversationId),
        before
          ? sql`(${messages.createdAt}, ${messages.id}) < (${before.createdAt}::timestamptz, ${before.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1);
}

/** One page of a conversation's messages, newest first. */
export async function listConversationMessages(
  db: AnyPgDatabase,
  params: ConversationMessagesParams,
): Promise<MessagePage> {
  const limit = params.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a positive integer, not ${limit}`);
  }
  const rows = await executePrepared(conversationMessagesQuery(db, params), 'cdb_conversation_messages');
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    messages: page.map(({ cursorCreatedAt: _, ...message }) => message),
    nextCursor: rows.length > limit && last ? { createdAt: last.cursorCreatedAt, id: last.id } : undefined,
  };
}
