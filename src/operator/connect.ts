import { mkdirSync, readdirSync } from 'node:fs';
import type { Database } from '../app/database.js';
import * as schema from '../app/schema/index.js';
import { initdbDumpFile, openEmptyPglite } from '../app/testing/pglite-initdb.js';
import { pgliteDataDir, redactUrl } from './connection-target.js';
import { ConnectionConfigError, parseDatabaseUrl } from './database-url.js';

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Where the handle points, safe to print: the URL without its password, or the PGlite folder. */
  target: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A postgres:// URL. Default: DATABASE_URL; when that is unset too, embedded PGlite. */
  url?: string | undefined;
  /** Use embedded PGlite in this folder. Default when neither this nor a URL is given: PGLITE_DATA_DIR, else `.data/pglite`. */
  pgliteDir?: string | undefined;
  /** Pool size for postgres.js. Commands need one connection; apps pass their own. */
  maxConnections?: number;
  /** Where DATABASE_URL and PGLITE_DATA_DIR are read. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export { ConnectionConfigError };

/** Opens the database the package's commands work on: a server by URL, else embedded PGlite. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  // An explicit PGlite folder wins over the environment's DATABASE_URL.
  const env = options.env ?? process.env;
  const url = options.url ?? (options.pgliteDir ? undefined : env.DATABASE_URL || undefined);
  if (url) return openServer(url, options.maxConnections ?? 1);
  return openPglite(options.pgliteDir ?? pgliteDataDir(env));
}

/**
 * The drivers are optional peer dependencies: an app that only talks to a server needs no PGlite,
 * and the reverse. Each is loaded when first used, and a missing one says what to install.
 */
async function loadDriver<T>(load: () => Promise<T>, name: string, purpose: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(name)) {
      throw new ConnectionConfigError(
        `${purpose} needs the ${name} package, which is not installed. Run npm install ${name}.`,
      );
    }
    throw error;
  }
}

async function openServer(url: string, max: number): Promise<DatabaseHandle> {
  // One parse: the driver connects to exactly the parts the printed target shows.
  const address = parseDatabaseUrl(url);
  const [{ default: postgres }, { drizzle: drizzlePostgres }] = await loadDriver(
    () => Promise.all([import('postgres'), import('drizzle-orm/postgres-js')]),
    'postgres',
    'A PostgreSQL server (DATABASE_URL)',
  );
  const client = postgres({
    host: address.host ?? 'localhost',
    port: address.port,
    ...(address.socketPath ? { path: address.socketPath } : {}),
    ...(address.user !== undefined ? { user: address.user } : {}),
    ...(address.password !== undefined ? { pass: address.password } : {}),
    ...(address.database !== undefined ? { database: address.database } : {}),
    ...(address.sslmode && address.sslmode !== 'disable' ? { ssl: address.sslmode as 'require' } : {}),
    max,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: address.applicationName ?? 'conversations-db' },
  });
  return {
    db: drizzlePostgres({ client, schema }) as unknown as Database,
    kind: 'postgres',
    target: redactUrl(url),
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dir: string): Promise<DatabaseHandle> {
  const [{ PGlite }, { drizzle: drizzlePglite }] = await loadDriver(
    () => Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]),
    '@electric-sql/pglite',
    'The embedded database (DATABASE_URL unset)',
  );
  mkdirSync(dir, { recursive: true });
  // A new folder starts from the initdb dump the working folder's node_modules/.cache keeps (see
  // pglite-initdb.ts), as db:check's reference and the test kit do: the same empty database in a
  // fraction of initdb's CPU. Without a dump, or one that does not load, initdb runs as before.
  const client =
    readdirSync(dir).length === 0
      ? await openEmptyPglite({ dumpFile: initdbDumpFile(process.cwd()), dataDir: dir })
      : await PGlite.create(dir);
  return {
    db: drizzlePglite({ client, schema }) as unknown as Database,
    kind: 'pglite',
    target: `PGlite at ${dir}`,
    close: () => client.close(),
  };
}
