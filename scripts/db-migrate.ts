import { migrateDatabase } from '../src/migrator/migrate.js';
import { parseFlags, runCommand, withDatabase } from './lib/cli.js';

const help = `
Usage: npm run db:migrate [-- --to <tag>]

Applies pending migrations from drizzle/ in one transaction, under an advisory lock (a concurrent
deploy waits, then finds nothing to do), and records them as drizzle-kit does.

  --to <tag>   stop after this migration (its full tag or its number, e.g. 0002)
  --help       show this help

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

await runCommand('db:migrate', async () => {
  const flags = parseFlags(process.argv.slice(2), { to: { type: 'string' } }, help);
  return withDatabase(async (handle) => {
    const started = performance.now();
    const result = await migrateDatabase(handle.db, { to: flags.to });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const out = process.stdout;
    out.write(`Database: ${handle.target}\n`);
    out.write(
      `Already applied: ${result.alreadyApplied.length ? result.alreadyApplied.join(', ') : 'none'}\n`,
    );
    for (const tag of result.applied) out.write(`Applied: ${tag}\n`);
    if (result.applied.length === 0) out.write('Nothing to apply.\n');
    if (result.leftPending.length) out.write(`Left pending (after --to): ${result.leftPending.join(', ')}\n`);
    out.write(`Done in ${seconds}s.\n`);
    return 0;
  });
});
