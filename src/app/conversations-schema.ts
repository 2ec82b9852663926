import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { chatSessionArchive } from './schema/chat-session-archive.js';
import { conversations } from './schema/conversations.js';
import { employees, moves, users } from './schema/core.js';
import { messages } from './schema/messages.js';
import { conversationParticipants } from './schema/participants.js';
import {
  conversationParticipantsRelations,
  conversationsRelations,
  employeesRelations,
  messagesRelations,
  movesRelations,
  usersRelations,
} from './schema/relations.js';

/**
 * Every table and relation of the package, ready for drizzle's `schema` option so that db.query.*
 * works: `drizzle({ client, schema: { ...conversationsSchema, ...yourOwnTables } })`.
 * The legacy chat tables are deliberately not part of it.
 */
export const conversationsSchema = {
  users,
  employees,
  moves,
  conversations,
  conversationParticipants,
  messages,
  chatSessionArchive,
  usersRelations,
  employeesRelations,
  movesRelations,
  conversationsRelations,
  conversationParticipantsRelations,
  messagesRelations,
};

export type ConversationsSchema = typeof conversationsSchema;

/** Any drizzle PostgreSQL database (postgres.js, node-postgres, PGlite, ...) that knows the schema. */
export type ConversationsDatabase = PgDatabase<PgQueryResultHKT, ConversationsSchema>;

/**
 * Any drizzle PostgreSQL database, whatever schema the app registered: what the query functions
 * app teams import take, so a database built with the app's own `schema` option fits.
 */
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;
