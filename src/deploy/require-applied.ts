import type { Queryable } from '../app/database.js';
import { MigrationRefusedError } from './errors.js';
import { readHistory } from './history.js';
import { readMigrations } from './migration-files.js';

/**
 * Refuses, before a command touches any data, when the database has not reached migration `tag`:
 * a command run against the wrong database, or one not yet migrated, gets a one-line answer that
 * names the step to take instead of failing halfway on a missing table.
 */
export async function requireApplied(
  db: Queryable,
  tag: string,
  command: string,
  options: { migrationsFolder?: string } = {},
): Promise<void> {
  const migrations = readMigrations(options.migrationsFolder);
  const needed = migrations.find((m) => m.tag === tag);
  if (!needed) throw new Error(`requireApplied: no migration ${tag} in the migrations folder`);
  const history = await readHistory(db);
  const lastApplied = history.at(-1)?.createdAt;
  if (lastApplied !== undefined && lastApplied >= needed.when) return;
  const current =
    lastApplied === undefined
      ? 'has no migration history'
      : `is at ${migrations.filter((m) => m.when <= lastApplied).at(-1)?.tag ?? 'an unknown migration'}`;
  throw new MigrationRefusedError(
    `${command} needs migration ${tag}, but this database ${current}. ` +
      `Run \`npm run db:migrate -- --to ${tag}\` first, or check that DATABASE_URL names the right database.`,
  );
}
