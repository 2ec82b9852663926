import { createInsertSchema, createSelectSchema, createUpdateSchema } from 'drizzle-zod';
import { conversations } from '../schema/conversations.js';
import { conversationStatusValues, conversationTypeValues } from '../schema/enums.js';
import { emailField, enumField, nonBlankText, titleField, userIdField, uuidField } from './fields.js';

/**
 * Set by the database (id, timestamps; updated_at by the trigger of migration 0002, last_message_at and
 * message_count by the messages triggers), never by apps.
 */
const serverManaged = {
  id: true,
  createdAt: true,
  updatedAt: true,
  lastMessageAt: true,
  messageCount: true,
} as const;

const inputRules = {
  moveId: () => uuidField('moveId'),
  title: () => titleField('title'),
  type: () => enumField('type', conversationTypeValues),
  status: () => enumField('status', conversationStatusValues),
  createdBy: () => userIdField('createdBy'),
  agentMailInboxId: () => nonBlankText('agentMailInboxId'),
  agentMailEmailAddress: () => emailField('agentMailEmailAddress'),
};

/** A conversations row as read from the database. */
export const conversationSelectSchema = createSelectSchema(conversations);

/** A new conversation: moveId required; title, type and status fall back to the column defaults. */
export const conversationInsertSchema = createInsertSchema(conversations, inputRules).omit(serverManaged);

/** A change to a conversation: every field optional. */
export const conversationUpdateSchema = createUpdateSchema(conversations, inputRules).omit(serverManaged);
