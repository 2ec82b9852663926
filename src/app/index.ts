// The package's main entry point (`@moveline/conversations-db`): tables, enums, relations and types.
// Zod schemas live at `./zod`, the migrations folder at `./migrations`. The legacy chat tables are
// not exported: apps never read or write them; only the one-time move does.
export * from './conversations-schema.js';
export { WithUserStatementError } from './errors/security-errors.js';
export {
  InvalidInputError,
  WriteNotPermittedError,
  WriteTargetNotFoundError,
} from './errors/write-errors.js';
export * from './queries/conversation-messages.js';
export { type ExplainOptions, explainQuery, type SentQuery } from './queries/explain.js';
export * from './queries/move-conversations.js';
export * from './queries/user-conversations.js';
export * from './schema/chat-session-archive.js';
export * from './schema/conversations.js';
export * from './schema/core.js';
export * from './schema/enums.js';
export * from './schema/messages.js';
export * from './schema/participants.js';
export * from './schema/relations.js';
export { withUser, withUserStatement } from './security/with-user.js';
export type * from './types.js';
export * from './writes/index.js';
