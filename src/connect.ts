import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { pgliteDataDir, redactUrl } from './connection-target.js';
import type { Database } from './database.js';
import * as schema from './schema/index.js';

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

export class ConnectionConfigError extends Error {
  override name = 'ConnectionConfigError';
}

/** Opens the database the package's commands work on: a server by URL, else embedded PGlite. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  // An explicit PGlite folder wins over the environment's DATABASE_URL.
  const env = options.env ?? process.env;
  const url = options.url ?? (options.pgliteDir ? undefined : env.DATABASE_URL || undefined);
  if (url) return openServer(url, options.maxConnections ?? 1);
  return openPglite(options.pgliteDir ?? pgliteDataDir(env));
}

function openServer(url: string, max: number): DatabaseHandle {
  assertPostgresUrl(url);
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: 'conversations-db' },
  });
  return {
    db: drizzlePostgres({ client, schema }) as unknown as Database,
    kind: 'postgres',
    target: redactUrl(url),
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dir: string): Promise<DatabaseHandle> {
  mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir);
  return {
    db: drizzlePglite({ client, schema }) as unknown as Database,
    kind: 'pglite',
    target: `PGlite at ${dir}`,
    close: () => client.close(),
  };
}

function assertPostgresUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectionConfigError(
      'DATABASE_URL is not a valid URL. Expected postgres://user:password@host:5432/database (percent-encode special characters in the password, e.g. @ as %40), or unset it to use the embedded PGlite database.',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConnectionConfigError(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${parsed.protocol}//. Fix it, or unset it to use the embedded PGlite database.`,
    );
  }
  // postgres.js decodes these itself and would fail with a bare "URI malformed".
  for (const part of [parsed.username, parsed.password, parsed.pathname]) {
    try {
      decodeURIComponent(part);
    } catch {
      throw new ConnectionConfigError(
        'DATABASE_URL has a malformed %-escape in its user, password or database name. Write a literal % as %25.',
      );
    }
  }
}
