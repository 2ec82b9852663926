import { writeFileSync } from 'node:fs';
import { buildMoveReport, moveLegacyChats, readableError } from '../src/legacy-move/index.js';
import { parseFlags, runCommand, withDatabase } from './lib/cli.js';
import { orphanFlags, orphanHelp, orphanOptions, positiveInteger } from './lib/move-flags.js';
import { formatMoveResult, retryLine } from './lib/move-output.js';
import { terminalProgress } from './lib/progress.js';

const help = `
Usage: npm run chats:migrate [-- --orphans <policy>] [--move-id <uuid>] [--batch-size <n>]
                             [--lock-timeout <ms>] [--wait] [--report <file>] [--json]

Moves the legacy chat_sessions / chat_messages into conversations, conversation_participants and
messages (seed 000 Step 3 mapping). Safe while the old app still writes, and to run again: each run
makes the new tables the exact image of the legacy ones, writing only what changed (new, edited and
deleted legacy rows), and never touches rows the new app wrote. Killed at any moment, the next run
finishes the job. Keyset batches, each its own short transaction. The legacy tables are only read.

${orphanHelp}
  --batch-size <n>     legacy rows per batch transaction (default 5000)
  --lock-timeout <ms>  lock_timeout of each batch; a batch that times out is retried up to 4 times
                       with a growing pause (0.25 s, 0.5 s, 1 s, 2 s), each retry a line on stderr;
                       then the command gives up, exit 2 (default 5000)
  --wait               if another chats:migrate or chats:rollback runs, wait for it (default: refuse)
  --report <file>      write a JSON report: counts per category, and the id of every legacy row
                       not moved, and why
  --json               print the result as JSON instead of the summary
  --help               show this help

Progress (done/total, rate, ETA) goes to stderr when it is a terminal.
Exit codes: 0 moved, 1 failed while moving (re-run: it resumes), 2 could not run (bad flags, database
unreachable or the connection lost, tables missing, another mover running, --move-id names no move,
a batch still locked out after its last retry).
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

await runCommand('chats:migrate', async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      ...orphanFlags,
      'batch-size': { type: 'string' },
      'lock-timeout': { type: 'string' },
      wait: { type: 'boolean' },
      report: { type: 'string' },
      json: { type: 'boolean' },
    },
    help,
  );
  const orphans = orphanOptions(flags);
  const batchSize = positiveInteger('batch-size', flags['batch-size']);
  const lockTimeoutMs = positiveInteger('lock-timeout', flags['lock-timeout']);
  return withDatabase(async (handle) => {
    const progress = terminalProgress();
    const result = await moveLegacyChats(handle.db, {
      ...orphans,
      batchSize,
      lockTimeoutMs,
      wait: flags.wait,
      onProgress: progress?.onProgress,
      // One line per retry, so an operator sees at once that the mover waits on another session's lock.
      onRetry: (r) => process.stderr.write(`chats:migrate: ${retryLine(r)}\n`),
    })
      .catch((e: unknown) => {
        throw readableError(e);
      })
      .finally(() => progress?.finish());
    if (flags.report) writeFileSync(flags.report, `${JSON.stringify(buildMoveReport(result), null, 2)}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stdout.write(`Database: ${handle.target}\n${formatMoveResult(result)}\n`);
      if (flags.report) process.stdout.write(`Report: ${flags.report}\n`);
      process.stdout.write('Next: npm run chats:validate\n');
    }
    return 0;
  });
});
