import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import type { chatSessionArchive } from './chat-session-archive.js';
import type { conversations } from './conversations.js';
import type { messages } from './messages.js';
import type { conversationParticipants } from './participants.js';
import { type TablesWithRole, tablesWithRole } from './tables.js';

// The one source of the database's COMMENT ON documentation (seed 002's review: comment every
// column). The custom migration *_conversations_column_comments is rendered from it
// (test/column-comments.test.ts fails when they differ) and db:check's column-comments check compares
// the live comments with it. Each map must name every column of its table: tsc fails on a new column
// without a comment.

type Comments<T extends Table> = { table: string; columns: Record<keyof T['_']['columns'], string> };

const conversationComments: Comments<typeof conversations> = {
  table:
    'A conversation about one move (seed 000): its participants and messages hang off it. Written by the owning service; apps read it under row-level security.',
  columns: {
    id: 'Primary key. For conversations moved from chat_sessions, the legacy session id.',
    moveId:
      'The move the conversation is about (moves.id); required, unlike the legacy chat_sessions.move_id.',
    title:
      "Shown in the conversation list; 'New Conversation' when none was given (also for legacy sessions without a title).",
    type: 'What the conversation is about: housing, moving, services, budget, general, vendor or internal.',
    status: 'active, archived or closed; archived and closed conversations are kept, not deleted.',
    createdBy: 'The user (users.id) who started it; NULL for conversations moved from the legacy tables.',
    agentMailInboxId: 'The AgentMail inbox that receives email for this conversation, if any.',
    agentMailEmailAddress: 'The email address of that inbox.',
    createdAt: 'When the conversation was started.',
    updatedAt:
      'When the conversation itself last changed (stamped on every UPDATE except activity bumps); not when a message arrived.',
    lastMessageAt:
      'created_at of the newest message, kept by triggers on messages; NULL until the first message. Orders the conversation list.',
    messageCount:
      'How many messages the conversation holds, kept by triggers on messages; the unread count of a participant who never read.',
  },
};

const participantComments: Comments<typeof conversationParticipants> = {
  table: 'Who takes part in a conversation, in which role, and how far they have read.',
  columns: {
    id: 'Primary key.',
    conversationId: 'The conversation (conversations.id).',
    userId:
      'The user (users.id); NULL only for the AI and the system participant (one of each per conversation).',
    participantType: 'employee, admin, vendor (people, who need a user_id), ai or system.',
    role: 'owner, participant or observer; observers read but may not post.',
    joinedAt: 'When the participant was added.',
    lastReadAt:
      'The created_at of the newest message this participant has read; later messages are unread. NULL: never read.',
  },
};

const messageComments: Comments<typeof messages> = {
  table:
    'The messages of conversations. Apps post through row-level security as their user; the owning service posts for the AI and the system.',
  columns: {
    id: 'Primary key, chosen by the server for messages the app role posts. For moved messages, the legacy chat_messages id.',
    conversationId: 'The conversation (conversations.id).',
    authorId: 'The user who wrote it (users.id); NULL for the AI, the system and moved legacy messages.',
    authorType: 'user, ai or system (legacy roles user, assistant, system).',
    content: "The message text, stored as written; moved legacy messages without content hold ''.",
    toolCalls: 'The AI tool calls made for this message, as the model returned them.',
    reasoning: "The AI's reasoning text, if recorded.",
    model: 'The model that wrote an AI message; set only by the owning service.',
    metadata:
      'Typed keys isEmail, emailFrom, emailTo, emailSubject, mentioned; other keys (from legacy rows) are kept.',
    createdAt: 'When the message was posted (the server time of its transaction for app-role posts).',
  },
};

const archiveComments: Comments<typeof chatSessionArchive> = {
  table:
    'Legacy chat sessions that could not become conversations (no move), kept whole with their messages.',
  columns: {
    sessionId: 'The legacy chat_sessions id.',
    session: 'The legacy chat_sessions row as jsonb.',
    messages: "The session's legacy chat_messages rows as a jsonb array.",
    reason: 'Why the session was archived instead of moved.',
    archivedAt: 'When it was archived.',
  },
};

/** The tables apps read (src/app/schema/tables.ts: roles conversations and archive). */
const commentedRoles = ['conversations', 'archive'] as const;
type Commented = TablesWithRole<(typeof commentedRoles)[number]>;

/** tsc fails when a table apps read has no comments here (or one here is not such a table). */
const commentsByTable: { [K in keyof Commented]: Comments<Commented[K]> } = {
  conversations: conversationComments,
  conversationParticipants: participantComments,
  messages: messageComments,
  chatSessionArchive: archiveComments,
};

/** In the list's order, which is the order of the migration's statements. */
const commented = Object.entries(tablesWithRole(...commentedRoles)).map(
  ([name, table]): [Table, Comments<Table>] => [
    table,
    commentsByTable[name as keyof Commented] as Comments<Table>,
  ],
);

/** One documented object: a table (column null) or one of its columns, and its comment. */
export interface ColumnComment {
  table: string;
  column: string | null;
  comment: string;
}

/** Every comment the package declares, tables first, columns in their declared order. */
export const columnComments: readonly ColumnComment[] = commented.flatMap(([table, comments]) => {
  const name = getTableName(table);
  const columns = getTableColumns(table);
  return [
    { table: name, column: null, comment: comments.table },
    ...Object.entries(columns).map(([key, column]) => ({
      table: name,
      column: column.name,
      comment: (comments.columns as Record<string, string>)[key] ?? '',
    })),
  ];
});

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The COMMENT statement that sets one comment. */
export function commentStatement({ table, column, comment }: ColumnComment): string {
  const target = column === null ? `TABLE "public"."${table}"` : `COLUMN "public"."${table}"."${column}"`;
  return `COMMENT ON ${target} IS ${literal(comment)};`;
}

/**
 * Columns added after *_conversations_column_comments, each commented by the migration that adds it
 * (the comments migration runs before the column exists): `table.column` -> that migration's suffix.
 */
export const commentedByLaterMigration: Readonly<Record<string, string>> = {
  'conversations.message_count': '_conversations_message_count_trigger',
};

const inCommentsMigration = (c: ColumnComment) =>
  c.column === null || !(`${c.table}.${c.column}` in commentedByLaterMigration);

/** The custom migration *_conversations_column_comments, exactly as drizzle/ holds it. */
export function renderColumnCommentsMigration(): string {
  return `-- Custom migration, rendered from src/schema/column-comments.ts (npx tsx scripts/column-comments-sql.ts
-- --write; do not edit by hand): the documentation of every table and column apps read (conversations,
-- participants, messages, the orphan archive).
${columnComments.filter(inCommentsMigration).map(commentStatement).join('\n--> statement-breakpoint\n')}
`;
}
