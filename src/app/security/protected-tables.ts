import { getTableName } from 'drizzle-orm';
import { conversations } from '../schema/conversations.js';
import { messages } from '../schema/messages.js';
import { conversationParticipants } from '../schema/participants.js';

/** The tables the app role reads and writes under row-level security: without policies it would see every row. */
export const rowLevelSecurityTables = [conversations, conversationParticipants, messages].map((t) =>
  getTableName(t),
);
