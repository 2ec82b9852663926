import { readableError, validateLegacyMove } from '../src/legacy-move/index.js';
import { parseFlags, runCommand, withDatabase } from './lib/cli.js';
import { orphanOptions, positiveInteger } from './lib/move-flags.js';
import { formatValidation } from './lib/move-output.js';

const help = `
Usage: npm run chats:validate [-- --orphans <policy>] [--limit <n>] [--json]

The gate before the drop. Exits 0 only when every legacy session and message is moved with equal
mapped fields or accounted for by the orphan policy (archived rows equal too), message counts match
per conversation, every moved conversation has exactly one AI participant, the employee owners match
the inference, and no moved copy outlives its legacy row. Prints a table of counts, each check, and
the ids of whatever fails. Read-only.

  --orphans <policy>   the policy chats:migrate ran with (default archive); with keep, orphans left
                       in chat_sessions are accounted for
  --limit <n>          failing ids kept per check (default 1000; the table shows 10)
  --json               print the result as JSON
  --help               show this help

Exit codes: 0 valid, 1 a check failed, 2 could not run.
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

await runCommand('chats:validate', async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    { orphans: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    help,
  );
  const { orphans } = orphanOptions({ orphans: flags.orphans, 'move-id': undefined });
  const idLimit = positiveInteger('limit', flags.limit);
  return withDatabase(async (handle) => {
    const result = await validateLegacyMove(handle.db, { orphans, idLimit }).catch((e: unknown) => {
      throw readableError(e);
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`Database: ${handle.target}\n${formatValidation(result)}\n`);
    return result.ok ? 0 : 1;
  });
});
