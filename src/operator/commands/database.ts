import { RefusedError } from '../../app/errors/refused-error.js';
import { type DatabaseHandle, openDatabase } from '../connect.js';
import { pgliteDataDir } from '../connection-target.js';
import type { CommandIo } from './io.js';

/** Whether the command's environment names a database (a server URL or a PGlite folder). */
export function databaseNamed(io: CommandIo): boolean {
  return Boolean(io.env.DATABASE_URL || io.env.PGLITE_DATA_DIR);
}

/**
 * Refuses what must never silently fall back to the embedded database: DATABASE_URL set but empty
 * (a CI secret that expanded to nothing). Runs before any database is opened or any file written.
 */
export function assertDatabaseConfig(io: CommandIo): void {
  if (io.env.DATABASE_URL === '') {
    throw new RefusedError(
      'DATABASE_URL is set but empty, so it names no database (an unset secret?). Set it to postgres://user:password@host:5432/database, or unset it (unset DATABASE_URL) to use the embedded PGlite database.',
    );
  }
}

/** The database a command works on: DATABASE_URL, else the embedded PGlite folder. One connection. */
export async function openCommandDatabase(io: CommandIo): Promise<DatabaseHandle> {
  assertDatabaseConfig(io);
  const url = io.env.DATABASE_URL;
  return url ? openDatabase({ url }) : openDatabase({ pgliteDir: pgliteDataDir(io.env, io.cwd) });
}

/** Runs `use` with the command's database open, and closes it whatever happens. */
export async function withDatabase<T>(
  io: CommandIo,
  use: (handle: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const handle = await openCommandDatabase(io);
  try {
    return await use(handle);
  } finally {
    await handle.close().catch(() => {});
  }
}
