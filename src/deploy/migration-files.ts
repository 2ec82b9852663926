import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { MigrationVerificationError } from './errors.js';
import { type JournalEntry, readJournal } from './journal.js';

/** The `drizzle/` folder shipped with this package. */
export const defaultMigrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Where drizzle keeps its bookkeeping; the same defaults as drizzle-kit, so both tools agree. */
export const migrationsSchema = 'drizzle';
export const migrationsTable = '__drizzle_migrations';

export interface MigrationFile {
  tag: string;
  /** The journal's `when`: drizzle orders and skips migrations by this alone. */
  when: number;
  /** sha256 of the file, as drizzle stores it. */
  hash: string;
  statements: string[];
}

/**
 * The migrations of a folder in journal order. The statements and hashes come from drizzle's own
 * reader, so what we record is byte-for-byte what `drizzle-kit migrate` would have recorded. A caller
 * that has read the journal already passes its entries.
 */
export function readMigrations(
  migrationsFolder: string = defaultMigrationsFolder,
  journal: JournalEntry[] = readJournal(migrationsFolder),
): MigrationFile[] {
  let files: ReturnType<typeof readMigrationFiles>;
  try {
    files = readMigrationFiles({ migrationsFolder });
  } catch (error) {
    throw new MigrationVerificationError(
      `The journal and the migration files disagree (${(error as Error).message}). Restore the missing file from git, or run \`npm run db:check\` to see every problem.`,
    );
  }
  return journal.map((entry, i) => {
    const file = files[i];
    if (!file)
      throw new MigrationVerificationError(`The journal names ${entry.tag} but drizzle could not read it.`);
    return { tag: entry.tag, when: entry.when, hash: file.hash, statements: file.sql };
  });
}
