import { sql } from 'drizzle-orm';
import type { Database } from '../database.js';
import { MigrationRefusedError } from './errors.js';
import { expandStepTag } from './expand-step.js';
import { ensureHistoryTable, readHistory, recordApplied } from './history.js';
import { findBaselineObjects } from './legacy-presence.js';
import { lockSchemaChanges } from './lock.js';
import { type MigrationFile, readMigrations } from './migration-files.js';

export interface MigrateOptions {
  migrationsFolder?: string;
  /** Apply up to and including this tag; default: every pending migration. */
  to?: string | undefined;
}

export interface MigrateResult {
  /** Tags applied by this run, in order. */
  applied: string[];
  /** Tags that were applied before this run. */
  alreadyApplied: string[];
  /** Tags still pending after this run because they come after `to`. */
  leftPending: string[];
}

/**
 * drizzle's migrate(), plus what a production deploy needs: an advisory lock so concurrent deploys
 * queue instead of colliding, and `to` so an expand step can stop before a contract step. Pending is
 * decided exactly as drizzle decides it (journal `when` after the last applied created_at) and the
 * bookkeeping rows are the ones drizzle writes, so plain `drizzle-kit migrate` carries on from here.
 * Everything runs in one transaction: a failing migration (or a guard that RAISEs) leaves nothing.
 */
export async function migrateDatabase(db: Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = readMigrations(options.migrationsFolder);
  const target = resolveTarget(migrations, options.to);

  return db.transaction(async (tx) => {
    await lockSchemaChanges(tx);
    await ensureHistoryTable(tx);
    const history = await readHistory(tx);
    const lastApplied = history.at(-1)?.createdAt;
    const isPending = (m: MigrationFile) => lastApplied === undefined || lastApplied < m.when;

    if (history.length === 0) await refuseUnadoptedLegacyDatabase(tx, expandStepTag(migrations));

    const result: MigrateResult = { applied: [], alreadyApplied: [], leftPending: [] };
    for (const [index, migration] of migrations.entries()) {
      if (!isPending(migration)) result.alreadyApplied.push(migration.tag);
      else if (index > target) result.leftPending.push(migration.tag);
      else {
        for (const statement of migration.statements) await tx.execute(sql.raw(statement));
        await recordApplied(tx, migration.hash, migration.when);
        result.applied.push(migration.tag);
      }
    }
    return result;
  });
}

function resolveTarget(migrations: MigrationFile[], to: string | undefined): number {
  if (to === undefined) return migrations.length - 1;
  const index = migrations.findIndex((m) => m.tag === to || m.tag.split('_')[0] === to);
  if (index === -1) {
    throw new MigrationRefusedError(
      `--to ${to}: no such migration. Known tags: ${migrations.map((m) => m.tag).join(', ')}.`,
    );
  }
  return index;
}

async function refuseUnadoptedLegacyDatabase(
  tx: Parameters<typeof findBaselineObjects>[0],
  expandTag: string,
): Promise<void> {
  const { present } = await findBaselineObjects(tx);
  if (present.length === 0) return;
  throw new MigrationRefusedError(
    `This database already has ${present.join(', ')} but no migration history, so migration 0000 would try to create them again. ` +
      `Adopt it first with \`npm run db:baseline\`, then \`npm run db:migrate -- --to ${expandTag}\`, ` +
      '`npm run chats:migrate` and `npm run chats:validate`.',
  );
}
