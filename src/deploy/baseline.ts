import { sql } from 'drizzle-orm';
import type { AnyPgDatabase } from '../app/conversations-schema.js';
import type { Database, Queryable } from '../app/database.js';
import { MigrationRefusedError } from './errors.js';
import { ensureHistoryTable, readHistory, recordApplied } from './history.js';
import { hostColumnProblems } from './host-tables.js';
import { baselineObjects, findBaselineObjects } from './legacy-presence.js';
import { lockSchemaChanges } from './lock.js';
import { type MigrationFile, readMigrations } from './migration-files.js';
import { readStoryPosition } from './story.js';

export interface BaselineResult {
  tag: string;
  /** The legacy objects that were missing and were created from migration 0000 (an app without the old chat). */
  created: string[];
}

/**
 * Adopts a database that already holds the host tables (every real app: users, employees, moves,
 * with columns of its own) and usually the legacy chat tables: records migration 0000 as applied
 * without running it, so the chain continues at 0001. When the legacy chat tables are absent
 * altogether, 0000's statements for them run first, so the chain finds what it expects.
 */
export async function baselineLegacyDatabase(
  db: AnyPgDatabase | Database,
  options: { migrationsFolder?: string } = {},
): Promise<BaselineResult> {
  const migrations = readMigrations(options.migrationsFolder);
  const [baseline] = migrations;
  if (!baseline) throw new MigrationRefusedError('The migrations folder has no migrations.');

  return (db as Database).transaction(async (tx) => {
    await lockSchemaChanges(tx);
    const history = await readHistory(tx);
    if (history.length > 0) {
      const position = await readStoryPosition(tx, migrations);
      throw new MigrationRefusedError(
        `This database already has a migration history (${history.length} applied), so it needs no baseline. ${position.summary} ` +
          (position.next
            ? `Next: \`${position.next}\`.`
            : 'Nothing is left to run (`npm run db:status` shows every migration applied).'),
      );
    }
    const { present, missing } = await findBaselineObjects(tx);
    const hostMissing = baselineObjects.hostTables.filter((t) => missing.includes(t));
    if (hostMissing.length > 0) {
      throw new MigrationRefusedError(
        present.length === 0
          ? 'Cannot baseline an empty database: there is nothing to adopt. Run `npm run db:migrate`, which creates everything.'
          : `Cannot baseline: the database lacks ${missing.join(', ')} of the legacy schema (it has ${present.join(', ')}). ` +
              `db:baseline adopts a database that has the app's ${baselineObjects.hostTables.join(', ')}; create the missing ones, or check that DATABASE_URL names the right database.`,
      );
    }
    const columnProblems = await hostColumnProblems(tx);
    if (columnProblems.length > 0) {
      throw new MigrationRefusedError(
        `Cannot baseline: the app's tables do not have the columns this package references (${columnProblems.join('; ')}). ` +
          'Add or fix those columns (extra columns of the app are fine), then run `npm run db:baseline` again.',
      );
    }
    const legacy = [...baselineObjects.legacyTables, ...baselineObjects.enums];
    const legacyMissing = legacy.filter((o) => missing.includes(o));
    if (legacyMissing.length > 0 && legacyMissing.length < legacy.length) {
      throw new MigrationRefusedError(
        `Cannot baseline: the legacy chat schema is incomplete (${legacyMissing.join(', ')} missing). ` +
          'Restore the missing tables from the old app, or check that DATABASE_URL names the right database.',
      );
    }
    await createMissingLegacyObjects(tx, baseline, legacyMissing);
    await ensureHistoryTable(tx);
    await recordApplied(tx, baseline.hash, baseline.when);
    return { tag: baseline.tag, created: legacyMissing };
  });
}

/** Runs the statements of migration 0000 that create (or constrain) one of `objects`. */
async function createMissingLegacyObjects(
  tx: Queryable,
  baseline: MigrationFile,
  objects: string[],
): Promise<void> {
  if (objects.length === 0) return;
  for (const statement of baseline.statements) {
    const code = statement.replace(/^\s*--.*$/gm, '').trim();
    const target = /^(?:CREATE TYPE|CREATE TABLE|ALTER TABLE)\s+(?:"public"\.)?"([^"]+)"/i.exec(code)?.[1];
    if (target && objects.includes(target)) await tx.execute(sql.raw(statement));
  }
}
