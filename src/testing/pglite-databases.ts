import { cpSync, mkdirSync } from 'node:fs';
import type { Database } from '../database.js';
import { type MigrationStep, migrateToStep } from './migration-step.js';

/** An open embedded PGlite database (PGlite is loaded only when it is used). */
export interface PgliteDatabase {
  db: Database;
  close(): Promise<void>;
}

/**
 * Opens PGlite in memory (no `source`), in a data directory, or from a snapshot made by
 * `createPgliteSnapshot`. A fresh PGlite runs initdb, which takes seconds; a snapshot or a copied
 * directory skips it.
 */
export async function openPglite(source?: { dataDir: string } | { snapshot: Blob }): Promise<PgliteDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const schema = await import('../schema/index.js');
  let client: InstanceType<typeof PGlite>;
  if (source && 'dataDir' in source) {
    mkdirSync(source.dataDir, { recursive: true });
    client = await PGlite.create(source.dataDir);
  } else {
    client = await PGlite.create(source ? { loadDataDir: source.snapshot } : {});
  }
  return { db: drizzle({ client, schema }) as unknown as Database, close: () => client.close() };
}

/** An in-memory database migrated to `step`, dumped: open copies of it with `openPglite({ snapshot })`. */
export async function createPgliteSnapshot(step: MigrationStep): Promise<Blob> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const schema = await import('../schema/index.js');
  const client = await PGlite.create();
  try {
    await migrateToStep(drizzle({ client, schema }) as unknown as Database, step);
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}

/**
 * Migrates the PGlite data directory `dataDir` to `step` and closes it cleanly, so that it can be
 * copied with `copyPgliteDataDir` (a directory copied while open may not start).
 */
export async function preparePgliteDataDir(dataDir: string, step: MigrationStep): Promise<void> {
  const opened = await openPglite({ dataDir });
  try {
    await migrateToStep(opened.db, step);
  } finally {
    await opened.close();
  }
}

export function copyPgliteDataDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}
