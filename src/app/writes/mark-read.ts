import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AnyPgDatabase } from '../conversations-schema.js';
import { WriteTargetNotFoundError } from '../errors/write-errors.js';
import { executePrepared } from '../prepared.js';
import { messages } from '../schema/messages.js';
import { conversationParticipants } from '../schema/participants.js';
import type { ConversationParticipant } from '../types.js';
import { timestampField, userIdField, uuidField } from '../zod/fields.js';
import { parseInput } from './parse-input.js';
import { translateWriteError } from './refusals.js';

const inputSchema = z.object(
  {
    conversationId: uuidField('conversationId'),
    userId: userIdField('userId'),
    readUpTo: timestampField('readUpTo').optional(),
  },
  { error: 'the input must be an object with conversationId and userId' },
);

export type MarkReadInput = z.input<typeof inputSchema>;

const participant = conversationParticipants;

/**
 * Marks a conversation read for a user: their participant row's lastReadAt becomes `readUpTo`, by
 * default the newest message the user can see in it (not the clock: a message whose transaction began
 * earlier but commits later must still count as unread). lastReadAt only moves forward, so a stale
 * client cannot make read messages unread again, and a readUpTo in the future counts as the
 * transaction's time. Returns the participant row.
 *
 * Inside `withUser` the policy lets a user mark only their own row (userId must be the current user);
 * any other, or a conversation the user is not in, throws WriteTargetNotFoundError, as does a user who
 * is not a participant.
 */
export async function markRead(db: AnyPgDatabase, input: MarkReadInput): Promise<ConversationParticipant> {
  const { conversationId, userId, readUpTo } = parseInput('markRead', inputSchema, input);
  const newest = sql`(select pg_catalog.max(${messages.createdAt}) from ${messages} where ${messages.conversationId} = ${participant.conversationId})`;
  // A readUpTo in the future would hide messages not yet written: it counts as now.
  const target =
    readUpTo === undefined ? newest : sql`least(${readUpTo.toISOString()}::timestamptz, pg_catalog.now())`;
  try {
    const [row] = await executePrepared(
      db
        .update(participant)
        // greatest() skips NULLs: a first read takes the target; a target before the current mark, or
        // none (no message yet), keeps the mark.
        .set({ lastReadAt: sql`greatest(${participant.lastReadAt}, ${target})` })
        .where(and(eq(participant.conversationId, conversationId), eq(participant.userId, userId)))
        .returning(),
      'cdb_mark_read',
    );
    if (!row) {
      throw new WriteTargetNotFoundError(
        `markRead: user ${userId} is not a participant of conversation ${conversationId} (or, under withUser, is not the current user); nothing was changed`,
      );
    }
    return row;
  } catch (error) {
    throw translateWriteError(error, {
      notPermitted: `markRead: this role may not mark conversation ${conversationId} read for ${userId}`,
    });
  }
}
