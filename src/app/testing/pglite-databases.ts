import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import type { ConversationsDatabase } from '../conversations-schema.js';
import { migrationsFolder } from '../migrations.js';
import { initdbDumpFile, openEmptyPglite, type PGlite } from './pglite-initdb.js';
import type { PrepareDatabase } from './prepare-database.js';

/** An open embedded PGlite database (PGlite is loaded only when it is used). */
export interface PgliteDatabase {
  db: ConversationsDatabase;
  close(): Promise<void>;
}

/**
 * Opens PGlite in memory (no `source`), in a data directory, or from a snapshot made by
 * `createPgliteSnapshot`. A fresh PGlite runs initdb, which takes seconds; a snapshot or a copied
 * directory skips it.
 */
export async function openPglite(source?: { dataDir: string } | { snapshot: Blob }): Promise<PgliteDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  let client: PGlite;
  if (source && 'dataDir' in source) {
    mkdirSync(source.dataDir, { recursive: true });
    client = await PGlite.create(source.dataDir);
  } else {
    client = await PGlite.create(source ? { loadDataDir: source.snapshot } : {});
  }
  return { db: await drizzleOver(client), close: () => client.close() };
}

async function drizzleOver(client: PGlite): Promise<ConversationsDatabase> {
  const { drizzle } = await import('drizzle-orm/pglite');
  const { conversationsSchema: schema } = await import('../conversations-schema.js');
  return drizzle({ client, schema }) as unknown as ConversationsDatabase;
}

/**
 * A new empty database (in memory, or in a new folder) for a template to be prepared in, started
 * from the initdb dump kept in the working folder's `node_modules/.cache` when it has one (see
 * pglite-initdb.ts): every template after the first skips initdb's seconds.
 */
function openEmpty(dataDir?: string): Promise<PGlite> {
  return openEmptyPglite({ dumpFile: initdbDumpFile(process.cwd()), dataDir });
}

/** drizzle's own migrate() over the shipped drizzle/ folder, on PGlite. */
export const migrateOnPglite: PrepareDatabase = async (db) => {
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder });
};

/** An in-memory database, prepared (migrated) and dumped: open copies of it with `openPglite({ snapshot })`. */
export async function createPgliteSnapshot(prepare: PrepareDatabase = migrateOnPglite): Promise<Blob> {
  const client = await openEmpty();
  try {
    await prepare(await drizzleOver(client));
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}

/**
 * Prepares (migrates) the PGlite data directory `dataDir` and closes it cleanly, so that it can be
 * copied with `copyPgliteDataDir` (a directory copied while open may not start). A new folder starts
 * empty; one that holds a database already is prepared as it is.
 */
export async function preparePgliteDataDir(
  dataDir: string,
  prepare: PrepareDatabase = migrateOnPglite,
): Promise<void> {
  const isNew = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  let opened: PgliteDatabase;
  if (isNew) {
    const client = await openEmpty(dataDir);
    opened = { db: await drizzleOver(client), close: () => client.close() };
  } else {
    opened = await openPglite({ dataDir });
  }
  try {
    await prepare(opened.db);
  } finally {
    await opened.close();
  }
}

export function copyPgliteDataDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}
