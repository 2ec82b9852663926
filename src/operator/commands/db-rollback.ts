import { rollBackEverything, rollbackDatabase } from '../../deploy/rollback.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { UsageError } from './usage-error.js';

const help = `
Usage: npm run db:rollback -- --to <tag> [--force]

Reverses applied migrations with their hand-written drizzle/down/<tag>.sql, newest first, in one
transaction under the same advisory lock as db:migrate, and removes their rows from drizzle's
bookkeeping so that db:migrate applies them again.

  --to <tag>   the migration to return to: it stays applied, everything after it is reversed
               (its full tag or its number, e.g. 0001). \`--to ${rollBackEverything}\` reverses everything.
  --force      let the down migrations drop rows that would be lost (rows that did not come from
               legacy data; host rows for 0000). Without it they refuse and nothing changes.
  --help       show this help

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const dbRollback = defineCommand({
  name: 'db:rollback',
  summary: 'reverse applied migrations with their down files (one transaction)',
  help,
  flags: { to: { type: 'string' }, force: { type: 'boolean' } },
  interrupted: 'nothing was reversed (one transaction). Run `npm run db:rollback` again.',
  parse: (flags) => {
    if (!flags.to) {
      throw new UsageError(`--to <tag> is required (or --to ${rollBackEverything} for everything).`);
    }
    return { to: flags.to, force: flags.force ?? false };
  },
  execute: (params, io) =>
    withDatabase(io, async (handle) => {
      const result = await rollbackDatabase(handle.db, params);
      const out = io.stdout;
      out.write(`Database: ${handle.target}\n`);
      for (const tag of result.rolledBack) out.write(`Rolled back: ${tag}\n`);
      if (result.rolledBack.length === 0) out.write('Nothing to roll back.\n');
      out.write(`Still applied: ${result.stillApplied.length ? result.stillApplied.join(', ') : 'none'}\n`);
      return exitCode.ok;
    }),
});
