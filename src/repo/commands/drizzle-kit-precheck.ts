import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readHistory } from '../../deploy/history.js';
import { readMigrations } from '../../deploy/migration-files.js';
import { refuseUnadoptedDatabase } from '../../deploy/unadopted.js';
import { defineCommand } from '../../operator/commands/command.js';
import { withDatabase } from '../../operator/commands/database.js';
import { exitCode } from '../../operator/commands/exit-code.js';
import type { CommandIo } from '../../operator/commands/io.js';
import { pgliteDataDir } from '../../operator/connection-target.js';

const help = `
Usage: npx tsx scripts/drizzle-kit-precheck.ts

Run by drizzle.config.ts before plain \`npx drizzle-kit migrate\` opens the database (not an npm
script). drizzle-kit creates drizzle.__drizzle_migrations before its transaction and prints no
error when a migration fails (drizzle-orm#5816), so on a database that has the app's or the legacy
tables but no migration history it would exit 1 in silence and leave an empty history table behind.
This refuses first, with the line db:migrate prints there (run \`npm run db:baseline\`), and writes
nothing. Exit 0: drizzle-kit may go on. 2: refused, or the database could not be opened.

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const drizzleKitPrecheck = defineCommand({
  name: 'drizzle-kit migrate',
  summary: 'the check drizzle.config.ts runs before plain drizzle-kit migrate',
  help,
  flags: {},
  parse: () => ({}),
  execute: async (_params, io) => {
    if (isNewPgliteFolder(io)) return exitCode.ok;
    return withDatabase(io, async (handle) => {
      if ((await readHistory(handle.db)).length === 0) {
        await refuseUnadoptedDatabase(handle.db, readMigrations());
      }
      return exitCode.ok;
    });
  },
});

/**
 * The embedded database's folder holds no database yet (a first `npx drizzle-kit migrate`): it has no
 * tables to refuse. Opening it here would run PGlite's initdb (seconds of CPU) in this process, only
 * for drizzle-kit to start PGlite again in its own; drizzle-kit creates the database itself.
 */
function isNewPgliteFolder(io: CommandIo): boolean {
  return !io.env.DATABASE_URL && !existsSync(join(pgliteDataDir(io.env, io.cwd), 'PG_VERSION'));
}
