import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as relations from './schema/relations.js';
import { appFacingRoles, tablesWithRole } from './schema/tables.js';

/**
 * Every app-facing table (src/app/schema/tables.ts: the host tables, the conversations and the
 * archive) and every relation of the package, ready for drizzle's `schema` option so that db.query.*
 * works: `drizzle({ client, schema: { ...conversationsSchema, ...yourOwnTables } })`.
 * The legacy chat tables, the move's ledger and the cutover's state are deliberately not part of it.
 */
export const conversationsSchema = { ...tablesWithRole(...appFacingRoles), ...relations };

export type ConversationsSchema = typeof conversationsSchema;

/** Any drizzle PostgreSQL database (postgres.js, node-postgres, PGlite, ...) that knows the schema. */
export type ConversationsDatabase = PgDatabase<PgQueryResultHKT, ConversationsSchema>;

/**
 * Any drizzle PostgreSQL database, whatever schema the app registered: what the query functions
 * app teams import take, so a database built with the app's own `schema` option fits.
 */
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;
