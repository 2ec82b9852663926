import type { Queryable } from '../../app/database.js';
import { readAcceptedDrift } from '../../deploy/accepted-drift.js';
import { readHistory } from '../../deploy/history.js';
import type { MigrationFile } from '../../deploy/migration-files.js';
import { findHistoryProblems } from '../../deploy/verify.js';
import { CouldNotCheckError, type Finding } from './finding.js';
import type { Repository } from './repository.js';

/**
 * What drizzle never compares: the sha256 it stored for each applied migration against today's file
 * (an edited applied migration changes nothing on databases that already ran it), and journal entries
 * older than the last applied one that never ran (drizzle skips them for good). The same verification
 * db:migrate runs before it applies anything; the journal's own problems are the journal check's.
 */
export async function checkAppliedHashes(repo: Repository, db: Queryable): Promise<Finding[]> {
  let migrations: MigrationFile[];
  try {
    migrations = repo.migrations();
  } catch (error) {
    throw new CouldNotCheckError(`cannot read the migrations: ${(error as Error).message}`);
  }
  const problems = findHistoryProblems(
    migrations,
    await readHistory(db),
    await readAcceptedDrift(db),
    repo.migrationsFolder,
  );
  return problems
    .filter((p) => p.acceptable)
    .map((p) => ({ check: 'applied-hashes', file: p.file, message: p.message, fix: p.fix }));
}
