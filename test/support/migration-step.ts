import type { ConversationsDatabase } from '../../src/app/conversations-schema.js';
import type { Database } from '../../src/app/database.js';
import { expandStepTag } from '../../src/deploy/expand-step.js';
import { migrateDatabase } from '../../src/deploy/migrate.js';
import { type MigrationFile, readMigrations } from '../../src/deploy/migration-files.js';

/**
 * The states of the migration chain a test starts from: nothing applied; the legacy baseline only
 * (the old app's tables); the expand step (legacy and new tables side by side, before the guarded
 * drop); every migration.
 */
export const migrationSteps = ['empty', 'legacy', 'expanded', 'migrated'] as const;
export type MigrationStep = (typeof migrationSteps)[number];

/**
 * The last migration a step includes, derived from the journal so that migrations merged later
 * move the steps with them; undefined for `empty`.
 */
export function migrationStepTag(
  step: MigrationStep,
  migrations: MigrationFile[] = readMigrations(),
): string | undefined {
  switch (step) {
    case 'empty':
      return undefined;
    case 'legacy':
      return requireTag(migrations[0], step);
    case 'expanded':
      return expandStepTag(migrations);
    case 'migrated':
      return requireTag(migrations.at(-1), step);
  }
}

/** Brings an empty database to `step` with the package's migrator (drizzle's bookkeeping included). */
export async function migrateToStep(
  db: ConversationsDatabase | Database,
  step: MigrationStep,
): Promise<void> {
  const to = migrationStepTag(step);
  // The migrator runs raw SQL in a transaction and never reads the schema drizzle was given, so the
  // kit's database (registered without the move's ledger tables) serves as well.
  if (to !== undefined) await migrateDatabase(db as Database, { to });
}

function requireTag(migration: MigrationFile | undefined, step: MigrationStep): string {
  if (!migration) throw new Error(`The migrations folder is empty, so it has no "${step}" step.`);
  return migration.tag;
}
