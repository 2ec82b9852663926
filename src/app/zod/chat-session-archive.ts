import { createInsertSchema, createSelectSchema, createUpdateSchema } from 'drizzle-zod';
import { z } from 'zod';
import { chatSessionArchive } from '../schema/chat-session-archive.js';
import { nonBlankText, uuidField } from './fields.js';

// The archive is written by the legacy move, not by apps; these schemas are here so that an admin
// screen or a support tool can read and, if it must, amend it with the same guarantees.

const inputRules = {
  sessionId: () => uuidField('sessionId'),
  session: () => z.record(z.string(), z.unknown(), { error: 'session must be an object (the legacy row)' }),
  messages: () => z.array(z.unknown(), { error: 'messages must be an array (the legacy messages)' }),
  reason: () => nonBlankText('reason'),
};

/** A chat_session_archive row as read from the database. */
export const archivedChatSessionSelectSchema = createSelectSchema(chatSessionArchive);

/** A new archive entry: sessionId (the legacy session's id), session and reason required. */
export const archivedChatSessionInsertSchema = createInsertSchema(chatSessionArchive, inputRules).omit({
  archivedAt: true,
});

/** A change to an archive entry; the session id it is keyed by cannot change. */
export const archivedChatSessionUpdateSchema = createUpdateSchema(chatSessionArchive, inputRules).omit({
  sessionId: true,
  archivedAt: true,
});
