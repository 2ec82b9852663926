import { goLive } from '../cutover/index.js';
import { readableError } from '../legacy-move/index.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { orphanPolicyOf } from './move-flags.js';

const help = `
Usage: npm run chats:cutover -- [--orphans <policy>] [--json]

Go-live: records in the database, with its time, that the new app is live. Refuses, changing nothing,
unless the sync is on (its four triggers present and enabled), chats:migrate has run, and the legacy and
new tables are equal (chats:validate passes). From then on the new tables win: chats:migrate never
rewrites or deletes a row of the new tables, and chats:validate compares both directions as before.
Switch the app over at any pace: old and new instances can run side by side until the drop.
Running it again keeps the first time.

  --orphans <policy>   the policy to validate with (default: the one chats:migrate recorded)
  --json               print the result as JSON
  --help               show this help

Exit codes: 0 live, 2 refused or could not run.
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const chatsCutover = defineCommand({
  name: 'chats:cutover',
  summary: 'go-live: mark the new app live (refused unless the sync is on and validation passes)',
  help,
  flags: { orphans: { type: 'string' }, json: { type: 'boolean' } },
  parse: (flags) => ({
    orphans: flags.orphans === undefined ? undefined : orphanPolicyOf(flags.orphans),
    json: flags.json ?? false,
  }),
  execute: (params, io) =>
    withDatabase(io, async (handle) => {
      const result = await goLive(handle.db, params.orphans ? { orphans: params.orphans } : {}).catch(
        (e: unknown) => {
          throw readableError(e);
        },
      );
      if (params.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else
        io.stdout.write(
          `Database: ${handle.target}\n${
            result.already
              ? `The new app has been live since ${result.liveAt.toISOString()} (marked before; unchanged).`
              : `The new app is live since ${result.liveAt.toISOString()}. The new tables win from now on; the legacy tables are kept current until the drop.`
          }\n`,
        );
      return exitCode.ok;
    }),
});
