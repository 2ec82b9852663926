import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationVerificationError } from './errors.js';

/** drizzle's journal, relative to the migrations folder: the list of migrations in apply order. */
export const journalPath = 'meta/_journal.json';

export interface JournalEntry {
  idx: number;
  /** drizzle orders and skips migrations by this alone. */
  when: number;
  tag: string;
}

/**
 * The journal could not be read. `problem` completes a sentence whose subject is the file ("does not
 * exist.", "is not a valid journal: ..."), so each caller names the file the way its user sees it.
 */
export class JournalUnreadableError extends MigrationVerificationError {
  override name = 'JournalUnreadableError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file} ${problem}`);
  }
}

/** The one reader of drizzle's journal (the migrator's and db:check's). */
export function readJournal(migrationsFolder: string): JournalEntry[] {
  const file = join(migrationsFolder, journalPath);
  if (!existsSync(file)) throw new JournalUnreadableError(file, 'does not exist.');
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { entries?: JournalEntry[] };
    if (!Array.isArray(parsed.entries)) throw new Error('it has no "entries" array');
    return parsed.entries;
  } catch (error) {
    throw new JournalUnreadableError(file, `is not a valid journal: ${(error as Error).message}`);
  }
}
