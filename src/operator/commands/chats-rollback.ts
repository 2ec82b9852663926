import { readableError, rollbackLegacyMove } from '../legacy-move/index.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { positiveInteger, wholeNumber } from './move-flags.js';
import { formatRollback, retryLine } from './move-output.js';
import { withHeartbeat } from './progress.js';

const help = `
Usage: npm run chats:rollback -- [--batch-size <n>] [--lock-timeout <ms>] [--max-rate <rows/s>]
                                 [--pause <ms>] [--wait] [--json]

Removes what chats:migrate created: its conversations with their messages and participants, its
ledger, and the archive rows of orphans whose legacy session still exists. The legacy tables are left
exactly as they are. Once the legacy tables are gone (the drop has run) it refuses and names the
db:rollback that undoes the drop first. It refuses while moved conversations hold messages or
participants the new app wrote (it would delete them).

  --batch-size <n>   conversations per batch transaction (default 5000)
  --lock-timeout <ms>
                     lock_timeout of each batch; a batch that times out is retried up to 4 times
                     with a growing pause, each retry a line on stderr; then exit 2 (default 5000)
  --max-rate <rows/s>
                     at most this many rows (conversations, messages, archive rows) removed per
                     second, averaged over the run: it sleeps between batches, holding no lock
  --pause <ms>       wait this long after every batch as well (default 0)
  --wait             if a chats:migrate runs, wait for it (default: refuse)
  --json             print the result as JSON
  --help             show this help

Exit codes: 0 rolled back, 1 failed midway (re-run it), 2 could not run or refused, 130 interrupted
(Ctrl-C; re-run it).
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const chatsRollback = defineCommand({
  name: 'chats:rollback',
  summary: 'remove what chats:migrate created; the legacy tables stay as they are',
  help,
  flags: {
    'batch-size': { type: 'string' },
    'lock-timeout': { type: 'string' },
    'max-rate': { type: 'string' },
    pause: { type: 'string' },
    wait: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  interrupted:
    'the batches already committed stay removed and the interrupted one was rolled back. Run `npm run chats:rollback` again to finish.',
  parse: (flags) => ({
    batchSize: positiveInteger('batch-size', flags['batch-size']),
    lockTimeoutMs: positiveInteger('lock-timeout', flags['lock-timeout']),
    maxRate: positiveInteger('max-rate', flags['max-rate']),
    pauseMs: wholeNumber('pause', flags.pause),
    wait: flags.wait,
    json: flags.json ?? false,
  }),
  execute: (params, io) =>
    withDatabase(io, async (handle) => {
      const result = await withHeartbeat(io, 'chats:rollback', 'removing the moved rows', () =>
        rollbackLegacyMove(handle.db, {
          batchSize: params.batchSize,
          lockTimeoutMs: params.lockTimeoutMs,
          maxRate: params.maxRate,
          pauseMs: params.pauseMs,
          wait: params.wait,
          onRetry: (r) => io.stderr.write(`chats:rollback: ${retryLine(r)}\n`),
        }),
      ).catch((e: unknown) => {
        throw readableError(e);
      });
      if (params.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout.write(`Database: ${handle.target}\n${formatRollback(result)}\n`);
      return exitCode.ok;
    }),
});
