import { createInsertSchema, createSelectSchema, createUpdateSchema } from 'drizzle-zod';
import { authorTypeValues } from '../schema/enums.js';
import { messages } from '../schema/messages.js';
import { enumField, nonBlankText, userIdField, uuidField } from './fields.js';
import { messageMetadataSchema, storedMessageMetadataSchema } from './message-metadata.js';

const serverManaged = { id: true, createdAt: true } as const;

const inputRules = {
  conversationId: () => uuidField('conversationId'),
  authorId: () => userIdField('authorId'),
  authorType: () => enumField('authorType', authorTypeValues),
  content: () => nonBlankText('content'),
  model: () => nonBlankText('model'),
  metadata: () => messageMetadataSchema,
};

/** A messages row as read from the database (metadata typed, its keys not format-checked). */
export const messageSelectSchema = createSelectSchema(messages, {
  metadata: () => storedMessageMetadataSchema,
});

/** A new message: conversationId and content required; content must not be blank. */
export const messageInsertSchema = createInsertSchema(messages, inputRules).omit(serverManaged);

/** A change to a message: every field optional. */
export const messageUpdateSchema = createUpdateSchema(messages, inputRules).omit(serverManaged);
