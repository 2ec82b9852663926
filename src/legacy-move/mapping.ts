import { sql } from 'drizzle-orm';

// The mapping of seed 000 Step 3, in one place, so the mover, the validation and the plan cannot
// disagree. Everything the mapping replaces is recorded in the ledger, so it can be reversed.

/** What a NULL chat_sessions.title becomes (the conversations.title default of seed 000). */
export const nullTitleReplacement = 'New Conversation';

/**
 * What a NULL chat_messages.content becomes: the empty string. messages.content is NOT NULL; '' says
 * "there was no text" without inventing any, and the ledger's content_was_null keeps the NULL for the
 * reverse. New messages are validated by the app's zod schema; legacy rows are moved as they are.
 */
export const nullContentReplacement = '';

/** Legacy message_role -> author_type. A bijection, so it needs no ledger. */
export const roleToAuthorType = { user: 'user', assistant: 'ai', system: 'system' } as const;

// Compared as text: `case <enum> when 'x'` looks up `=` for the enum type, and a role that may CREATE
// in public could plant an exact-type =(message_role, message_role) that the mover would then call.
export const authorTypeOfRole = (role: ReturnType<typeof sql.raw>) =>
  sql`(case ${role}::text when 'assistant' then 'ai' when 'system' then 'system' else 'user' end)::author_type`;

/** Legacy timestamps carry no zone; they were written in UTC, and are read as UTC whatever the session's TimeZone. */
export const asUtc = (column: ReturnType<typeof sql.raw>) => sql`(${column} at time zone 'UTC')`;

/** Why an orphan session (no move) went to chat_session_archive. */
export const orphanArchiveReason =
  'no move: chat_sessions.move_id was NULL (chats:migrate --orphans=archive)';

/** The advisory lock key every mover and rollback takes: one of them at a time per database. */
export const moverLockName = 'conversations-db:legacy-chat-move';
