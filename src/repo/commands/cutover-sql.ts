import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMigrationsFolder } from '../../deploy/migration-files.js';
import { defineCommand } from '../../operator/commands/command.js';
import { exitCode } from '../../operator/commands/exit-code.js';
import {
  guardLogUpkeepMigrationSuffix,
  renderGuardLogUpkeepDown,
  renderGuardLogUpkeepMigration,
} from '../../operator/cutover/guard-log-upkeep-sql.js';
import {
  renderReverseTombstonesDown,
  renderReverseTombstonesMigration,
  renderStatementSyncDown,
  renderStatementSyncMigration,
  reverseTombstonesMigrationSuffix,
  statementSyncMigrationSuffix,
} from '../../operator/cutover/statement-sync-sql.js';
import {
  appliedSyncMigrationSuffix,
  cutoverSyncMigrationSuffix,
  renderCutoverSyncDown,
  renderCutoverSyncMigration,
} from '../../operator/cutover/sync-sql.js';

const help = `
Usage: npm run cutover:sql -- [--write]

The sync migration (drizzle/<n>${cutoverSyncMigrationSuffix}) and its down file are generated from
src/operator/cutover/sync-sql.ts, the mapping in src/operator/legacy-move/mapping.ts and (for the down) the applied
drizzle/<n>${appliedSyncMigrationSuffix}; the guard log's upkeep (drizzle/<n>${guardLogUpkeepMigrationSuffix})
and its down from src/operator/cutover/guard-log-upkeep-sql.ts; messages' statement-level reverse sync
(drizzle/<n>${statementSyncMigrationSuffix}) and its tombstones (drizzle/<n>${reverseTombstonesMigrationSuffix}),
with their downs, from src/operator/cutover/statement-sync-sql.ts. Without flags: exit 0 when the files match,
1 when one is stale. With --write: rewrite them (only before the migration is applied anywhere that matters; db:check
compares hashes).

  --write   rewrite the migration and its down file from the TypeScript source
  --help    show this help
`;

const find = (folder: string, suffix: string) => readdirSync(folder).find((f) => f.endsWith(suffix));

export const cutoverSql = defineCommand({
  name: 'cutover:sql',
  summary: 'check (or --write) the sync migrations against the TypeScript they are generated from',
  help,
  flags: { write: { type: 'boolean' } },
  usesDatabase: false,
  parse: (flags) => ({ write: flags.write ?? false }),
  execute: async ({ write }, io) => {
    const name = find(defaultMigrationsFolder, cutoverSyncMigrationSuffix);
    const applied = find(defaultMigrationsFolder, appliedSyncMigrationSuffix);
    const upkeep = find(defaultMigrationsFolder, guardLogUpkeepMigrationSuffix);
    const statement = find(defaultMigrationsFolder, statementSyncMigrationSuffix);
    const tombstones = find(defaultMigrationsFolder, reverseTombstonesMigrationSuffix);
    const missing = [
      [name, cutoverSyncMigrationSuffix, 'legacy_chat_sync_guarded'],
      [applied, appliedSyncMigrationSuffix, 'legacy_chat_sync'],
      [upkeep, guardLogUpkeepMigrationSuffix, 'legacy_chat_guard_log_pruned'],
      [statement, statementSyncMigrationSuffix, 'legacy_chat_sync_statement_level'],
      [tombstones, reverseTombstonesMigrationSuffix, 'legacy_chat_sync_reverse_tombstones'],
    ].find(([found]) => !found);
    if (missing || !name || !applied || !upkeep || !statement || !tombstones) {
      io.stderr.write(
        `cutover:sql: no drizzle/*${missing?.[1]}; create it with \`npx drizzle-kit generate --custom --name ${missing?.[2]}\` (before the drop).\n`,
      );
      return exitCode.couldNotRun;
    }
    const files = [
      [name, renderCutoverSyncMigration()],
      [`down/${name}`, renderCutoverSyncDown(readFileSync(join(defaultMigrationsFolder, applied), 'utf8'))],
      [upkeep, renderGuardLogUpkeepMigration()],
      [`down/${upkeep}`, renderGuardLogUpkeepDown()],
      [statement, renderStatementSyncMigration()],
      [`down/${statement}`, renderStatementSyncDown()],
      [tombstones, renderReverseTombstonesMigration()],
      [`down/${tombstones}`, renderReverseTombstonesDown()],
    ] as const;
    const stale = files.filter(([file, rendered]) => {
      const path = join(defaultMigrationsFolder, file);
      return !find(join(path, '..'), file.replace(/^down\//, '')) || readFileSync(path, 'utf8') !== rendered;
    });
    if (stale.length === 0) {
      io.stdout.write(
        `drizzle/${name}, drizzle/${upkeep}, drizzle/${statement}, drizzle/${tombstones} and their down files match the TypeScript they are generated from.\n`,
      );
      return exitCode.ok;
    }
    if (!write) {
      io.stderr.write(
        `cutover:sql: ${stale.map(([file]) => `drizzle/${file}`).join(' and ')} stale; run \`npm run cutover:sql -- --write\`.\n`,
      );
      return exitCode.problem;
    }
    for (const [file, rendered] of stale) {
      writeFileSync(join(defaultMigrationsFolder, file), rendered);
      io.stdout.write(`Wrote drizzle/${file}.\n`);
    }
    return exitCode.ok;
  },
});
