// The `./zod` entry point: input and output schemas for every table of the conversations schema,
// named <entity>SelectSchema / <entity>InsertSchema / <entity>UpdateSchema.
export * from './chat-session-archive.js';
export * from './conversations.js';
export * from './enums.js';
export { conversationTitleMaxLength } from './fields.js';
export { messageMetadataSchema } from './message-metadata.js';
export * from './messages.js';
export * from './participants.js';
