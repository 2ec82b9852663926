import type { chatSessionArchive } from './schema/chat-session-archive.js';
import type { conversations } from './schema/conversations.js';
import type { messages } from './schema/messages.js';
import type { conversationParticipants } from './schema/participants.js';

// Row types for app code. The New* types leave out what the database sets itself (ids, created_at,
// updated_at, joined_at), matching the zod insert schemas, so a parsed request body is a New* value
// and a New* value can go straight into db.insert(...).values(...).

export type { MessageMetadata } from './schema/message-metadata.js';

export type Conversation = typeof conversations.$inferSelect;
export type NewConversation = Omit<
  typeof conversations.$inferInsert,
  'id' | 'createdAt' | 'updatedAt' | 'lastMessageAt' | 'messageCount'
>;

export type ConversationParticipant = typeof conversationParticipants.$inferSelect;
export type NewConversationParticipant = Omit<
  typeof conversationParticipants.$inferInsert,
  'id' | 'joinedAt'
>;

export type Message = typeof messages.$inferSelect;
export type NewMessage = Omit<typeof messages.$inferInsert, 'id' | 'createdAt'>;

export type ArchivedChatSession = typeof chatSessionArchive.$inferSelect;
export type NewArchivedChatSession = Omit<typeof chatSessionArchive.$inferInsert, 'archivedAt'>;
