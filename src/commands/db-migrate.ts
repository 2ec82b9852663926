import { migrateDatabase } from '../migrator/migrate.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';

const help = `
Usage: npm run db:migrate -- [--to <tag>]

Applies pending migrations from drizzle/ in one transaction, under an advisory lock (a concurrent
deploy waits, then finds nothing to do), and records them as drizzle-kit does.

  --to <tag>   stop after this migration (its full tag or its number, e.g. 0002)
  --help       show this help

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const dbMigrate = defineCommand({
  name: 'db:migrate',
  summary: 'apply pending migrations (one transaction, under an advisory lock)',
  help,
  flags: { to: { type: 'string' } },
  interrupted:
    'the migrations of this run were rolled back (one transaction). Run `npm run db:migrate` again.',
  parse: (flags) => ({ to: flags.to }),
  execute: (params, io) =>
    withDatabase(io, async (handle) => {
      const started = performance.now();
      const result = await migrateDatabase(handle.db, { to: params.to });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const out = io.stdout;
      out.write(`Database: ${handle.target}\n`);
      out.write(
        `Already applied: ${result.alreadyApplied.length ? result.alreadyApplied.join(', ') : 'none'}\n`,
      );
      for (const tag of result.applied) out.write(`Applied: ${tag}\n`);
      if (result.applied.length === 0) out.write('Nothing to apply.\n');
      if (result.leftPending.length)
        out.write(`Left pending (after --to): ${result.leftPending.join(', ')}\n`);
      out.write(`Done in ${seconds}s.\n`);
      return exitCode.ok;
    }),
});
