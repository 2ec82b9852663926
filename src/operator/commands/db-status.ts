import { readDatabaseStatus } from '../../deploy/status.js';
import { describeProblem } from '../../deploy/verify.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { formatTable } from './table.js';

const help = `
Usage: npm run db:status -- [--json]

Read-only: every migration with its state (applied, pending, out-of-order, edited, accepted) and the
time it was generated (drizzle records no time of application), where the database stands in the
expand -> move -> drop story, and the one command to run next. Writes nothing and takes no lock.
Exit 0: the history agrees with drizzle/. 1: db:migrate would refuse (the problems are listed).

  --json   print the status as JSON on stdout
  --help   show this help

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const dbStatus = defineCommand({
  name: 'db:status',
  summary: 'read-only: each migration and its state, the phase of the move, the next command',
  help,
  flags: { json: { type: 'boolean' } },
  parse: (flags) => ({ json: flags.json ?? false }),
  execute: ({ json }, io) =>
    withDatabase(io, async (handle) => {
      const status = await readDatabaseStatus(handle.db);
      const out = io.stdout;
      if (json) {
        out.write(`${JSON.stringify({ database: handle.target, ...status }, null, 2)}\n`);
      } else {
        out.write(`Database: ${handle.target}\n`);
        const rows = status.migrations.map((m) => [
          m.tag,
          m.state,
          m.generatedAt,
          m.online ? 'online' : 'transactional',
        ]);
        out.write(`${formatTable(['migration', 'state', 'generated at', 'kind'], rows)}\n`);
        for (const row of status.unknownApplied) {
          out.write(`applied but unknown to drizzle/: created_at ${row.createdAt}\n`);
        }
        for (const problem of status.problems) out.write(`Problem: ${describeProblem(problem)}\n`);
        out.write(`Phase: ${status.position.phase}. ${status.position.summary}\n`);
        out.write(`Next: ${status.position.next ?? 'nothing; the story is done.'}\n`);
      }
      return status.problems.length > 0 ? exitCode.problem : exitCode.ok;
    }),
});
