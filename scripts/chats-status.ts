import { readCutoverStatus } from '../src/cutover/index.js';
import { readableError } from '../src/legacy-move/index.js';
import { parseFlags, runCommand, withDatabase } from './lib/cli.js';
import { formatCutoverStatus } from './lib/cutover-output.js';

const help = `
Usage: npm run chats:status [-- --json]

Where the cutover stands: the phase (before-expand, expand, backfill, live, dropped), the sync's state
(on: its four triggers present and enabled; broken: some missing or disabled; off), the orphan policy
the sync applies, and how long ago go-live was. The retention period before the drop is the operator's
call; this shows it, nothing enforces it. Read-only.

  --json   print the status as JSON
  --help   show this help

Exit codes: 0 the sync is on (or the drop has run), 1 the sync is broken or off before the drop, 2 could not run.
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

await runCommand('chats:status', async () => {
  const flags = parseFlags(process.argv.slice(2), { json: { type: 'boolean' } }, help);
  return withDatabase(async (handle) => {
    const status = await readCutoverStatus(handle.db).catch((e: unknown) => {
      throw readableError(e);
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else process.stdout.write(`Database: ${handle.target}\n${formatCutoverStatus(status)}\n`);
    const syncNeeded = status.phase === 'expand' || status.phase === 'backfill' || status.phase === 'live';
    return syncNeeded && status.sync !== 'on' ? 1 : 0;
  });
});
