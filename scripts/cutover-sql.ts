import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cutoverSyncMigrationSuffix, renderCutoverSyncMigration } from '../src/cutover/sync-sql.js';
import { defaultMigrationsFolder } from '../src/migrator/migration-files.js';
import { exitCode, parseFlags, runCommand } from './lib/cli.js';

const help = `
Usage: npm run cutover:sql [-- --write]

The sync migration (drizzle/<n>${cutoverSyncMigrationSuffix}) is generated from src/cutover/sync-sql.ts and
the mapping in src/legacy-move/mapping.ts. Without flags: exit 0 when the file matches, 1 when it is
stale. With --write: rewrite it (only before it is applied anywhere that matters; db:check compares hashes).

  --write   rewrite the migration from the TypeScript source
  --help    show this help
`;

await runCommand('cutover:sql', async () => {
  const flags = parseFlags(process.argv.slice(2), { write: { type: 'boolean' } }, help);
  const name = readdirSync(defaultMigrationsFolder).find((f) => f.endsWith(cutoverSyncMigrationSuffix));
  if (!name) {
    process.stderr.write(
      `cutover:sql: no drizzle/*${cutoverSyncMigrationSuffix}; create it with \`npx drizzle-kit generate --custom --name legacy_chat_sync\`.\n`,
    );
    return exitCode.couldNotRun;
  }
  const path = join(defaultMigrationsFolder, name);
  const rendered = renderCutoverSyncMigration();
  if (readFileSync(path, 'utf8') === rendered) {
    process.stdout.write(`drizzle/${name} matches src/cutover/sync-sql.ts.\n`);
    return exitCode.ok;
  }
  if (!flags.write) {
    process.stderr.write(`cutover:sql: drizzle/${name} is stale; run \`npm run cutover:sql -- --write\`.\n`);
    return exitCode.problem;
  }
  writeFileSync(path, rendered);
  process.stdout.write(`Wrote drizzle/${name}.\n`);
  return exitCode.ok;
});
