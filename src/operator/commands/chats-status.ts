import { readCutoverStatus } from '../cutover/index.js';
import { readableError } from '../legacy-move/index.js';
import { defineCommand } from './command.js';
import { formatCutoverStatus } from './cutover-output.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';

const help = `
Usage: npm run chats:status -- [--json]

Where the cutover stands: the phase (before-expand, expand, backfill, live, dropped), the sync's state
(on: its four triggers present and enabled; broken: some missing or disabled; off), the orphan policy
the sync applies, and how long ago go-live was. The retention period before the drop is the operator's
call; this shows it, nothing enforces it. Read-only.

  --json   print the status as JSON
  --help   show this help

Exit codes: 0 the sync is on (or the drop has run), 1 the sync is broken or off before the drop, 2 could not run.
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const chatsStatus = defineCommand({
  name: 'chats:status',
  summary: "the cutover's phase, the sync's state, and the time since go-live",
  help,
  flags: { json: { type: 'boolean' } },
  parse: (flags) => ({ json: flags.json ?? false }),
  execute: (params, io) =>
    withDatabase(io, async (handle) => {
      const status = await readCutoverStatus(handle.db).catch((e: unknown) => {
        throw readableError(e);
      });
      if (params.json) io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else io.stdout.write(`Database: ${handle.target}\n${formatCutoverStatus(status)}\n`);
      const syncNeeded = status.phase === 'expand' || status.phase === 'backfill' || status.phase === 'live';
      return syncNeeded && status.sync !== 'on' ? exitCode.problem : exitCode.ok;
    }),
});
