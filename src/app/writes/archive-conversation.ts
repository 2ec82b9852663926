import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AnyPgDatabase } from '../conversations-schema.js';
import { WriteTargetNotFoundError } from '../errors/write-errors.js';
import { conversations } from '../schema/conversations.js';
import type { Conversation } from '../types.js';
import { uuidField } from '../zod/fields.js';
import { parseInput } from './parse-input.js';
import { translateWriteError } from './refusals.js';

const inputSchema = z.object(
  { conversationId: uuidField('conversationId') },
  { error: 'the input must be an object with conversationId' },
);

export type ArchiveConversationInput = z.input<typeof inputSchema>;

/**
 * Archives a conversation (status archived; updatedAt is stamped by the trigger) and returns it.
 * Archiving again is harmless. The owning service's write: under `withUser` it throws
 * WriteNotPermittedError; a conversation that does not exist throws WriteTargetNotFoundError.
 */
export async function archiveConversation(
  db: AnyPgDatabase,
  input: ArchiveConversationInput,
): Promise<Conversation> {
  const { conversationId } = parseInput('archiveConversation', inputSchema, input);
  try {
    const [row] = await db
      .update(conversations)
      .set({ status: 'archived' })
      .where(eq(conversations.id, conversationId))
      .returning();
    if (!row) {
      throw new WriteTargetNotFoundError(
        `archiveConversation: conversation ${conversationId} does not exist; nothing was changed`,
      );
    }
    return row;
  } catch (error) {
    throw translateWriteError(error, {
      notPermitted:
        'archiveConversation: this role may not change conversations. Archive on the owning service’s connection, not inside withUser',
    });
  }
}
