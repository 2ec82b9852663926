import type { AnyPgDatabase } from '../conversations-schema.js';
import { executePrepared } from '../prepared.js';
import { messages } from '../schema/messages.js';
import type { Message, NewMessage } from '../types.js';
import { messageInsertSchema } from '../zod/messages.js';
import { parseInput } from './parse-input.js';
import { translateWriteError } from './refusals.js';

/** A new message, checked with `messageInsertSchema`. */
export type PostMessageInput = NewMessage;

/**
 * Posts a message, validated with `messageInsertSchema` (bad input throws InvalidInputError naming the
 * fields). The insert's trigger moves the conversation's `lastMessageAt` in the same transaction.
 *
 * Inside `withUser(db, userId, ...)` the row-level security policy lets it post only as that user
 * (`authorId` = userId, `authorType` user) into a conversation where the user takes part and is not
 * an observer; the server then chooses the message's id, createdAt and model. Anything else throws
 * WriteNotPermittedError, having written nothing. The owning service (its own connection) posts the
 * AI's and the system's messages.
 */
export async function postMessage(db: AnyPgDatabase, input: PostMessageInput): Promise<Message> {
  const message = parseInput('postMessage', messageInsertSchema, input);
  try {
    const [row] = await executePrepared(db.insert(messages).values(message).returning(), 'cdb_post_message');
    if (!row) throw new Error('postMessage: the insert returned no row');
    return row;
  } catch (error) {
    throw translateWriteError(error, {
      notPermitted: `postMessage: may not post into conversation ${message.conversationId} as ${message.authorId ?? 'no author'} (authorType ${message.authorType ?? 'user'}). Under withUser a user posts only as themselves, with authorType user, where they take part and are not an observer; the AI's and the system's messages are the owning service's`,
      missingReference: `postMessage: conversation ${message.conversationId} or author ${message.authorId ?? '(none)'} does not exist`,
    });
  }
}
