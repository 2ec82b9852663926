import { baselineLegacyDatabase } from '../src/migrator/baseline.js';
import { parseFlags, runCommand, withDatabase } from './lib/cli.js';

const help = `
Usage: npm run db:baseline

For a database that already holds the host and legacy chat tables and has no migration history:
records migration 0000 (the legacy baseline) as applied without running it. Refuses when a history
exists or the legacy tables are missing. Then run npm run db:migrate as usual.

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

await runCommand('db:baseline', async () => {
  parseFlags(process.argv.slice(2), {}, help);
  return withDatabase(async (handle) => {
    const { tag } = await baselineLegacyDatabase(handle.db);
    process.stdout.write(`Database: ${handle.target}\nRecorded ${tag} as applied (not run).\n`);
    return 0;
  });
});
