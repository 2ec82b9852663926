import { readDatabaseStatus } from '../../deploy/status.js';
import { describeProblem } from '../../deploy/verify.js';
import { verifyStoryPosition } from '../cutover/verify-position.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { formatTable } from './table.js';

const help = `
Usage: npm run db:status -- [--verify] [--json]

Read-only: every migration with its state (applied, pending, out-of-order, edited, accepted) and the
time it was generated (drizzle records no time of application), where the database stands in the
expand -> move -> drop story, and the one command to run next. Writes nothing and takes no lock.
Exit 0: the history agrees with drizzle/. 1: db:migrate would refuse (the problems are listed).

Between the expand step and the drop it reads what the cutover recorded (has chats:migrate run?),
which is instant; the legacy and new tables being equal is decided by the drop's guard itself.

  --verify  also run that equality check now (the drop guard's and chats:validate's, a few seconds
            per million legacy messages) and print what differs and the step to take
  --json    print the status as JSON on stdout
  --help    show this help

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const dbStatus = defineCommand({
  name: 'db:status',
  summary: 'read-only: each migration and its state, the phase of the move, the next command',
  help,
  flags: { json: { type: 'boolean' }, verify: { type: 'boolean' } },
  parse: (flags) => ({ json: flags.json ?? false, verify: flags.verify ?? false }),
  execute: ({ json, verify }, io) =>
    withDatabase(io, async (handle) => {
      const read = await readDatabaseStatus(handle.db, { migrationsFolder: io.migrationsFolder });
      const status = verify
        ? { ...read, position: await verifyStoryPosition(handle.db, read.position) }
        : read;
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
        out.write(
          `Next: ${status.position.next ?? (status.position.phase === 'dropped' ? 'nothing; the story is done.' : 'no command: the fix is by hand (see the phase above).')}\n`,
        );
      }
      return status.problems.length > 0 ? exitCode.problem : exitCode.ok;
    }),
});
