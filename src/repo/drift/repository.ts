import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CouldNotCheckError } from './finding.js';

/** The repository db:check looks at: its root and its migrations folder (`drizzle/`). */
export interface Repository {
  root: string;
  migrationsFolder: string;
}

export function repositoryAt(root: string): Repository {
  return { root: resolve(root), migrationsFolder: join(resolve(root), 'drizzle') };
}

export interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export const journalFile = 'drizzle/meta/_journal.json';

export function readJournal(repo: Repository): JournalEntry[] {
  const path = join(repo.root, journalFile);
  if (!existsSync(path)) throw new CouldNotCheckError(`${journalFile} does not exist.`);
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { entries?: JournalEntry[] };
    if (!Array.isArray(parsed.entries)) throw new Error('it has no "entries" array');
    return parsed.entries;
  } catch (error) {
    throw new CouldNotCheckError(`${journalFile} is not a valid journal: ${(error as Error).message}`);
  }
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
