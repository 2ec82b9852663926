import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * What the factories need of a database: insert. Any drizzle PostgreSQL database has it, whatever
 * schema the app registered, so the factories fit the app's own database too.
 */
export type FactoryDatabase = Pick<PgDatabase<PgQueryResultHKT>, 'insert'>;
