import { readMigrations } from '../../src/migrator/migration-files.js';

/**
 * The expand step the move runs on: the last migration before the one that drops the legacy tables
 * (or the last one, while there is none). Found by content, so later migrations need no edit here.
 */
export function expandTarget(): string {
  const migrations = readMigrations();
  const contract = migrations.findIndex((m) =>
    m.statements.some((s) => /drop\s+table[^;]*chat_(sessions|messages)/i.test(s)),
  );
  const target = contract === -1 ? migrations.at(-1) : migrations[contract - 1];
  if (!target) throw new Error('no migrations found in drizzle/');
  return target.tag;
}
