import { readableError, rollbackLegacyMove } from '../src/legacy-move/index.js';
import { parseFlags, runCommand, withDatabase } from './lib/cli.js';
import { positiveInteger } from './lib/move-flags.js';
import { formatRollback, retryLine } from './lib/move-output.js';

const help = `
Usage: npm run chats:rollback [-- --batch-size <n>] [--lock-timeout <ms>] [--wait] [--json]

Removes what chats:migrate created: its conversations with their messages and participants, its
ledger, and the archive rows of orphans whose legacy session still exists. The legacy tables are left
exactly as they are. Refuses once the legacy tables are gone (the drop has run), and while moved
conversations hold messages or participants the new app wrote (it would delete them).

  --batch-size <n>   conversations per batch transaction (default 5000)
  --lock-timeout <ms>
                     lock_timeout of each batch; a batch that times out is retried up to 4 times
                     with a growing pause, each retry a line on stderr; then exit 2 (default 5000)
  --wait             if a chats:migrate runs, wait for it (default: refuse)
  --json             print the result as JSON
  --help             show this help

Exit codes: 0 rolled back, 1 failed midway (re-run it), 2 could not run or refused.
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

await runCommand('chats:rollback', async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      'batch-size': { type: 'string' },
      'lock-timeout': { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    help,
  );
  const batchSize = positiveInteger('batch-size', flags['batch-size']);
  const lockTimeoutMs = positiveInteger('lock-timeout', flags['lock-timeout']);
  return withDatabase(async (handle) => {
    const result = await rollbackLegacyMove(handle.db, {
      batchSize,
      lockTimeoutMs,
      wait: flags.wait,
      onRetry: (r) => process.stderr.write(`chats:rollback: ${retryLine(r)}\n`),
    }).catch((e: unknown) => {
      throw readableError(e);
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`Database: ${handle.target}\n${formatRollback(result)}\n`);
    return 0;
  });
});
