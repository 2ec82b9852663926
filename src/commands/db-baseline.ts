import { baselineLegacyDatabase } from '../migrator/baseline.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';

const help = `
Usage: npm run db:baseline

For a database that already holds the host and legacy chat tables and has no migration history:
records migration 0000 (the legacy baseline) as applied without running it. Refuses when a history
exists or the legacy tables are missing. Then run npm run db:migrate as usual.

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const dbBaseline = defineCommand({
  name: 'db:baseline',
  summary: 'record migration 0000 as applied on a legacy database without history',
  help,
  flags: {},
  parse: () => ({}),
  execute: (_params, io) =>
    withDatabase(io, async (handle) => {
      const { tag } = await baselineLegacyDatabase(handle.db);
      io.stdout.write(`Database: ${handle.target}\nRecorded ${tag} as applied (not run).\n`);
      return exitCode.ok;
    }),
});
