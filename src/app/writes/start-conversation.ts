import { z } from 'zod';
import type { AnyPgDatabase } from '../conversations-schema.js';
import { conversations } from '../schema/conversations.js';
import { conversationParticipants } from '../schema/participants.js';
import type {
  Conversation,
  ConversationParticipant,
  NewConversation,
  NewConversationParticipant,
} from '../types.js';
import { conversationInsertSchema } from '../zod/conversations.js';
import { conversationParticipantInsertSchema } from '../zod/participants.js';
import { parseInput } from './parse-input.js';
import { translateWriteError } from './refusals.js';

/** A participant of a conversation being started: its conversationId is the new conversation's. */
export type StartingParticipant = Omit<NewConversationParticipant, 'conversationId'>;

export interface StartConversationInput {
  /** The conversation's fields, checked with `conversationInsertSchema` (moveId required). */
  conversation: NewConversation;
  /** At least one; at most one row per user, and one user-less row per type (the AI, the system). */
  participants: StartingParticipant[];
}

export interface StartedConversation {
  conversation: Conversation;
  participants: ConversationParticipant[];
}

// Participants are checked with the package's participant schema before the conversation exists, so
// its conversationId is a stand-in here; the insert uses the new conversation's id.
const standInConversationId = '00000000-0000-4000-8000-000000000000';

const participantsSchema = z
  .array(
    z.unknown().transform((participant, context) => {
      const fields = typeof participant === 'object' && participant !== null ? participant : {};
      const parsed = conversationParticipantInsertSchema.safeParse({
        ...fields,
        conversationId: standInConversationId,
      });
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) context.addIssue({ ...issue, code: 'custom' });
      return z.NEVER;
    }),
    { error: 'participants must be an array of participants' },
  )
  .min(1, { error: 'participants must name at least one participant' })
  .superRefine((participants, context) => {
    const seen = new Set<string>();
    participants.forEach((participant, index) => {
      // The table's two unique indexes, caught before the insert: one row per user, one user-less
      // row per participant type.
      const key = participant.userId ? `user ${participant.userId}` : `type ${participant.participantType}`;
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: [index, participant.userId ? 'userId' : 'participantType'],
          message: participant.userId
            ? `userId ${participant.userId} is listed twice (one participant row per user)`
            : `participantType ${participant.participantType} without a user is listed twice (one per type)`,
        });
      }
      seen.add(key);
    });
  });

const inputSchema = z.object(
  { conversation: conversationInsertSchema, participants: participantsSchema },
  { error: 'the input must be an object with conversation and participants' },
);

/**
 * Starts a conversation with its participants, in one transaction (a savepoint inside the caller's):
 * either all of it is written or nothing. Validated with the package's zod insert schemas first;
 * bad input throws InvalidInputError naming the fields.
 *
 * This is the owning service's write: the app role (`withUser`) may not create conversations or add
 * participants, so run it on the service's own connection after applying its business rules (who
 * may open a conversation on a move, who joins it). Under `withUser` it throws WriteNotPermittedError.
 */
export async function startConversation(
  db: AnyPgDatabase,
  input: StartConversationInput,
): Promise<StartedConversation> {
  const parsed = parseInput('startConversation', inputSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [conversation] = await tx.insert(conversations).values(parsed.conversation).returning();
      if (!conversation) throw new Error('startConversation: the insert returned no row');
      const participants = await tx
        .insert(conversationParticipants)
        .values(parsed.participants.map((p) => ({ ...p, conversationId: conversation.id })))
        .returning();
      return { conversation, participants };
    });
  } catch (error) {
    throw translateWriteError(error, {
      notPermitted:
        'startConversation: this role may not create conversations or add participants. Run it on the owning service’s connection, not inside withUser (the app role only reads, posts as its user and marks read)',
      missingReference:
        'startConversation: a referenced row does not exist (the move, the creator or a participant’s user); create it first or correct the id',
    });
  }
}
