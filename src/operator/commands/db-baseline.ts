import { baselineLegacyDatabase } from '../../deploy/baseline.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';

const help = `
Usage: npm run db:baseline

Adopts a database built before this package existed, which has no migration history: the app's
users, employees and moves (extra columns of the app are fine; the columns this package references
must be there with the same types), and usually the legacy chat tables. Records migration 0000 (the
BEFORE state) as applied without running it; when the legacy chat tables are absent altogether, it
creates them first from 0000, so the rest of the chain applies. Refuses when a history exists, or
when the app's tables are missing or do not match.

Then: npm run db:status names the next step.

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const dbBaseline = defineCommand({
  name: 'db:baseline',
  summary: "adopt a database without history (the app's tables, legacy chats or not): record 0000",
  help,
  flags: {},
  parse: () => ({}),
  execute: (_params, io) =>
    withDatabase(io, async (handle) => {
      const { tag, created } = await baselineLegacyDatabase(handle.db);
      io.stdout.write(`Database: ${handle.target}\n`);
      if (created.length > 0) {
        io.stdout.write(`Created from ${tag}: ${created.join(', ')} (the app had no legacy chats).\n`);
      }
      io.stdout.write(`Recorded ${tag} as applied (not run).\n`);
      return exitCode.ok;
    }),
});
