import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type JournalEntry, JournalUnreadableError, journalPath, readJournal } from '../../deploy/journal.js';
import { type MigrationFile, readMigrations } from '../../deploy/migration-files.js';
import { CouldNotCheckError } from './finding.js';

/**
 * The repository db:check looks at: its root, its migrations folder (`drizzle/`), and its journal and
 * migrations, each read on first use and kept for the run (every check reads the same copy).
 */
export interface Repository {
  root: string;
  migrationsFolder: string;
  /** The journal's entries; CouldNotCheckError naming the file when it cannot be read. */
  journal(): JournalEntry[];
  /** The migrations in journal order, hashed as drizzle hashes them. */
  migrations(): MigrationFile[];
}

export type { JournalEntry };

export const journalFile = `drizzle/${journalPath}`;

export function repositoryAt(root: string): Repository {
  const migrationsFolder = join(resolve(root), 'drizzle');
  const journal = once(() => {
    try {
      return readJournal(migrationsFolder);
    } catch (error) {
      if (error instanceof JournalUnreadableError) {
        throw new CouldNotCheckError(`${journalFile} ${error.problem}`);
      }
      throw error;
    }
  });
  const migrations = once(() => readMigrations(migrationsFolder, journal()));
  return { root: resolve(root), migrationsFolder, journal, migrations };
}

/** `read` run on the first call only; later calls return its value or throw its error again. */
function once<T>(read: () => T): () => T {
  let outcome: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!outcome) {
      try {
        outcome = { value: read() };
      } catch (error) {
        outcome = { error };
      }
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  };
}

/** The `.sql` files directly in drizzle/ (not down/ or meta/), sorted by name. */
export function migrationSqlFiles(repo: Repository): string[] {
  return readdirSync(repo.migrationsFolder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => entry.name)
    .sort();
}

/** The number a migration file starts with (`0003` of `0003_drop_legacy_chats`). */
export function numericPrefix(tag: string): string {
  return /^\d+/.exec(tag)?.[0] ?? '';
}
