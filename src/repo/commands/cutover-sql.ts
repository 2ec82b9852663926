import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMigrationsFolder } from '../../deploy/migration-files.js';
import { defineCommand } from '../../operator/commands/command.js';
import { exitCode } from '../../operator/commands/exit-code.js';
import { cutoverSyncMigrationSuffix, renderCutoverSyncMigration } from '../../operator/cutover/sync-sql.js';

const help = `
Usage: npm run cutover:sql -- [--write]

The sync migration (drizzle/<n>${cutoverSyncMigrationSuffix}) is generated from src/operator/cutover/sync-sql.ts and
the mapping in src/operator/legacy-move/mapping.ts. Without flags: exit 0 when the file matches, 1 when it is
stale. With --write: rewrite it (only before it is applied anywhere that matters; db:check compares hashes).

  --write   rewrite the migration from the TypeScript source
  --help    show this help
`;

export const cutoverSql = defineCommand({
  name: 'cutover:sql',
  summary: 'check (or --write) the sync migration against the TypeScript it is generated from',
  help,
  flags: { write: { type: 'boolean' } },
  usesDatabase: false,
  parse: (flags) => ({ write: flags.write ?? false }),
  execute: async ({ write }, io) => {
    const name = readdirSync(defaultMigrationsFolder).find((f) => f.endsWith(cutoverSyncMigrationSuffix));
    if (!name) {
      io.stderr.write(
        `cutover:sql: no drizzle/*${cutoverSyncMigrationSuffix}; create it with \`npx drizzle-kit generate --custom --name legacy_chat_sync\`.\n`,
      );
      return exitCode.couldNotRun;
    }
    const path = join(defaultMigrationsFolder, name);
    const rendered = renderCutoverSyncMigration();
    if (readFileSync(path, 'utf8') === rendered) {
      io.stdout.write(`drizzle/${name} matches src/operator/cutover/sync-sql.ts.\n`);
      return exitCode.ok;
    }
    if (!write) {
      io.stderr.write(`cutover:sql: drizzle/${name} is stale; run \`npm run cutover:sql -- --write\`.\n`);
      return exitCode.problem;
    }
    writeFileSync(path, rendered);
    io.stdout.write(`Wrote drizzle/${name}.\n`);
    return exitCode.ok;
  },
});
