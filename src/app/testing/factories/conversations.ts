import { conversations } from '../../schema/conversations.js';
import { messages } from '../../schema/messages.js';
import { conversationParticipants } from '../../schema/participants.js';
import type { Conversation, ConversationParticipant, Message } from '../../types.js';
import type { FactoryDatabase } from './factory-database.js';
import { createMove } from './host.js';

/** A conversation; without `moveId` it gets a new move (with its owner) of its own. */
export async function createConversation(
  db: FactoryDatabase,
  overrides: Partial<typeof conversations.$inferInsert> = {},
): Promise<Conversation> {
  const moveId = overrides.moveId ?? (await createMove(db)).move.id;
  const [conversation] = await db
    .insert(conversations)
    .values({ title: 'A conversation', ...overrides, moveId })
    .returning();
  if (!conversation) throw new Error('createConversation: the insert returned no row.');
  return conversation;
}

/** A participant of a conversation: an employee with `userId`, or the AI when no user is given. */
export async function createParticipant(
  db: FactoryDatabase,
  overrides: Partial<typeof conversationParticipants.$inferInsert> & { conversationId: string },
): Promise<ConversationParticipant> {
  const participantType = overrides.participantType ?? (overrides.userId ? 'employee' : 'ai');
  const [participant] = await db
    .insert(conversationParticipants)
    .values({ ...overrides, participantType })
    .returning();
  if (!participant) throw new Error('createParticipant: the insert returned no row.');
  return participant;
}

/** A message; without `conversationId` it goes into a new conversation of its own. */
export async function createMessage(
  db: FactoryDatabase,
  overrides: Partial<typeof messages.$inferInsert> = {},
): Promise<Message> {
  const conversationId = overrides.conversationId ?? (await createConversation(db)).id;
  const [message] = await db
    .insert(messages)
    .values({ content: 'Hello', ...overrides, conversationId })
    .returning();
  if (!message) throw new Error('createMessage: the insert returned no row.');
  return message;
}
