import type { Queryable } from '../../app/database.js';
import { readHistory } from '../../deploy/history.js';
import type { Repository } from './repository.js';

/**
 * The journal's tags drizzle would still apply: newer than the last applied one. A database behind
 * the chain cannot be compared with the schema or the reference catalog (every pending migration
 * would show as drift), so the live checks look here first.
 */
export async function pendingMigrations(repo: Repository, db: Queryable): Promise<string[]> {
  const lastApplied = (await readHistory(db)).at(-1)?.createdAt;
  return repo
    .journal()
    .filter((entry) => lastApplied === undefined || entry.when > lastApplied)
    .map((entry) => entry.tag);
}
