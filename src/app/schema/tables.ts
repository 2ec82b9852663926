import { getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { chatSessionArchive } from './chat-session-archive.js';
import { conversations } from './conversations.js';
import { employees, moves, users } from './core.js';
import type * as schema from './index.js';
import { legacyChatCutover } from './legacy-chat-cutover.js';
import { legacyMovedMessages, legacyMovedSessions } from './legacy-move-ledger.js';
import { messages } from './messages.js';
import { conversationParticipants } from './participants.js';

/**
 * Who a table is for; every place that lists tables derives from `publicTables` by role. The legacy chat
 * tables (chat_sessions, chat_messages) are not here: the chain drops them, so the schema does not
 * declare them (src/operator/legacy has them for the move).
 */
export type TableRole = 'host' | 'conversations' | 'archive' | 'ledger' | 'cutover';

/** What each role means for the table, as docs/schema.md says it. */
export const tableRoles: Readonly<Record<TableRole, string>> = {
  host: "the app's own tables: this package references them and declares only the columns it needs (db:check compares just those); the baseline creates them in a fresh database; exported from `.`",
  conversations:
    'what apps read and write as their user, under row-level security: exported from `.` and `./zod`, every column commented',
  archive:
    'legacy sessions that had no move, kept whole; written by the move and the sync, exported and commented so that apps can read them',
  ledger:
    'what the legacy move created, so that a re-run converges and rollback and the down of the drop are exact; operator tooling only',
  cutover: "the cutover's one-row state, read by the sync's triggers; operator tooling only",
};

/** The roles whose tables apps import from `.` (and register in drizzle's `schema` option). */
export const appFacingRoles = ['host', 'conversations', 'archive'] as const satisfies readonly TableRole[];

/** The roles of the tables this package creates and owns (everything but the app's own host tables). */
export const ownedRoles = [
  'conversations',
  'archive',
  'ledger',
  'cutover',
] as const satisfies readonly TableRole[];

/** The export names of every table src/app/schema/index.ts (drizzle-kit's schema) exports. */
type SchemaTableName = {
  [K in keyof typeof schema]: (typeof schema)[K] extends PgTable ? K : never;
}[keyof typeof schema];

/**
 * Every table of the package's schema, once, with its role, in the order the docs and the column
 * comments list them. tsc fails when src/app/schema/index.ts exports a table that is missing here, or
 * when one listed here is not exported there (so drizzle-kit would not generate it).
 */
export const publicTables = {
  users: { table: users, role: 'host' },
  employees: { table: employees, role: 'host' },
  moves: { table: moves, role: 'host' },
  conversations: { table: conversations, role: 'conversations' },
  conversationParticipants: { table: conversationParticipants, role: 'conversations' },
  messages: { table: messages, role: 'conversations' },
  chatSessionArchive: { table: chatSessionArchive, role: 'archive' },
  legacyMovedSessions: { table: legacyMovedSessions, role: 'ledger' },
  legacyMovedMessages: { table: legacyMovedMessages, role: 'ledger' },
  legacyChatCutover: { table: legacyChatCutover, role: 'cutover' },
} as const satisfies { [K in SchemaTableName]: { table: (typeof schema)[K]; role: TableRole } };

type PublicTableName = keyof typeof publicTables;

/** The tables of the given roles, by export name, typed: `{ conversations: typeof conversations, ... }`. */
export type TablesWithRole<R extends TableRole> = {
  [K in PublicTableName as (typeof publicTables)[K]['role'] extends R
    ? K
    : never]: (typeof publicTables)[K]['table'];
};

export function tablesWithRole<R extends TableRole>(...roles: readonly R[]): TablesWithRole<R> {
  const picked = Object.entries(publicTables).filter(([, entry]) =>
    (roles as readonly TableRole[]).includes(entry.role),
  );
  return Object.fromEntries(picked.map(([name, entry]) => [name, entry.table])) as TablesWithRole<R>;
}

/** The SQL names (in public) of the tables of the given roles, in list order. */
export function tableNamesWithRole(...roles: readonly TableRole[]): string[] {
  return Object.values(publicTables)
    .filter((entry) => roles.includes(entry.role))
    .map((entry) => getTableName(entry.table));
}

/** The role of a table by its SQL name, or undefined when it is not one of the package's tables. */
export function roleOfTable(name: string): TableRole | undefined {
  return Object.values(publicTables).find((entry) => getTableName(entry.table) === name)?.role;
}
