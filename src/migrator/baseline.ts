import type { Database } from '../database.js';
import { MigrationRefusedError } from './errors.js';
import { ensureHistoryTable, readHistory, recordApplied } from './history.js';
import { findBaselineObjects } from './legacy-presence.js';
import { lockSchemaChanges } from './lock.js';
import { readMigrations } from './migration-files.js';

export interface BaselineResult {
  tag: string;
}

/**
 * Adopts a database that already holds the host and legacy tables (built before this package
 * existed): records migration 0000 as applied without running it, so the chain continues at 0001.
 */
export async function baselineLegacyDatabase(
  db: Database,
  options: { migrationsFolder?: string } = {},
): Promise<BaselineResult> {
  const [baseline] = readMigrations(options.migrationsFolder);
  if (!baseline) throw new MigrationRefusedError('The migrations folder has no migrations.');

  return db.transaction(async (tx) => {
    await lockSchemaChanges(tx);
    const history = await readHistory(tx);
    if (history.length > 0) {
      throw new MigrationRefusedError(
        `This database already has a migration history (${history.length} applied), so it needs no baseline. Run \`npm run db:migrate\` instead.`,
      );
    }
    const { missing } = await findBaselineObjects(tx);
    if (missing.length > 0) {
      throw new MigrationRefusedError(
        `Cannot baseline: the database lacks ${missing.join(', ')} of the legacy schema. ` +
          'db:baseline only adopts a database that already has the legacy tables; for an empty database run `npm run db:migrate`.',
      );
    }
    await ensureHistoryTable(tx);
    await recordApplied(tx, baseline.hash, baseline.when);
    return { tag: baseline.tag };
  });
}
