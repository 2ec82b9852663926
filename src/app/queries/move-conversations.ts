import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { AnyPgDatabase } from '../conversations-schema.js';
import { executePrepared } from '../prepared.js';
import { conversations } from '../schema/conversations.js';
import type { ConversationStatus } from '../schema/enums.js';
import type { Conversation } from '../types.js';

export interface MoveConversationsParams {
  moveId: string;
  /** Only conversations in one of these statuses; default: every status. */
  status?: ConversationStatus | readonly ConversationStatus[];
  /** default 100 */
  limit?: number;
}

/**
 * The query behind {@link listMoveConversations}, as drizzle sends it: served by
 * idx_conversations_move_id (a move has a handful of conversations, so the status test is a filter on
 * those few rows; idx_conversations_status alone would be useless here).
 */
export function moveConversationsQuery(db: AnyPgDatabase, params: MoveConversationsParams) {
  const statuses = params.status === undefined ? undefined : [params.status].flat();
  return db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.moveId, params.moveId),
        // As text: `status in (...)` looks `=` up for the enum type by name, and a role that may CREATE
        // in public could plant an exact-type =(conversation_status, conversation_status) there.
        statuses ? inArray(sql`${conversations.status}::text`, statuses) : undefined,
      ),
    )
    .orderBy(desc(conversations.updatedAt), desc(conversations.id))
    .limit(params.limit ?? 100);
}

/** A move's conversations, most recently updated first, optionally only those in some statuses. */
export async function listMoveConversations(
  db: AnyPgDatabase,
  params: MoveConversationsParams,
): Promise<Conversation[]> {
  return executePrepared(moveConversationsQuery(db, params), 'cdb_move_conversations');
}
