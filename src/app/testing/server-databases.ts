import type { ConversationsDatabase } from '../conversations-schema.js';
import { migrationsFolder } from '../migrations.js';
import type { PrepareDatabase } from './prepare-database.js';

/** A database on a PostgreSQL server that a test owns: its URL, and how to drop it. */
export interface ServerDatabase {
  name: string;
  url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/**
 * A unique, valid database name: `prefix_label_pid_time_random`, lower-case letters, digits and
 * underscores only, within PostgreSQL's 63 bytes (longer names are silently truncated, so two
 * labels could collide).
 */
export function uniqueDatabaseName(prefix: string, label: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const suffix = `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const head = `${clean(prefix)}_${clean(label)}`.slice(0, 63 - suffix.length - 1);
  return `${head}_${suffix}`;
}

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/**
 * Creates database `name`, a copy of `template` when given. CREATE DATABASE ... TEMPLATE copies files,
 * so a migrated database costs tens of milliseconds instead of a migration run; it needs nobody
 * connected to the template, which is why templates are only ever connected to while they are built.
 */
export async function createServerDatabase(
  adminUrl: string,
  name: string,
  template?: string,
): Promise<ServerDatabase> {
  await withAdmin(adminUrl, (admin) =>
    admin.unsafe(
      template === undefined
        ? `CREATE DATABASE ${quoteIdent(name)}`
        : `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`,
    ),
  );
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => dropServerDatabase(adminUrl, name),
  };
}

export async function dropServerDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (admin) =>
    admin.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

/** drizzle's own migrate() over the shipped drizzle/ folder, as an app's deploy runs it. */
export const migrateOnServer: PrepareDatabase = async (db) => {
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder });
};

/** Builds a template database: created empty, prepared (migrated), then left with no connection. */
export async function createServerTemplate(
  adminUrl: string,
  name: string,
  prepare: PrepareDatabase = migrateOnServer,
): Promise<ServerDatabase> {
  const database = await createServerDatabase(adminUrl, name);
  try {
    const opened = await openServerDatabase(database.url, 1);
    try {
      await prepare(opened.db);
    } finally {
      await opened.close();
    }
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

/** Opens a drizzle database on a server URL (postgres.js, loaded only when a server is used). */
export async function openServerDatabase(
  url: string,
  maxConnections = 4,
): Promise<{ db: ConversationsDatabase; close(): Promise<void> }> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { conversationsSchema: schema } = await import('../conversations-schema.js');
  const client = postgres(url, { max: maxConnections, onnotice: () => {} });
  return {
    db: drizzle({ client, schema }) as unknown as ConversationsDatabase,
    close: () => client.end({ timeout: 5 }),
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withAdmin<T>(
  adminUrl: string,
  use: (admin: import('postgres').Sql) => Promise<T>,
): Promise<T> {
  const { default: postgres } = await import('postgres');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}
