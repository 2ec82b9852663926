import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildMoveReport, moveLegacyChats, readableError } from '../legacy-move/index.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { orphanFlags, orphanHelp, orphanOptions, positiveInteger, wholeNumber } from './move-flags.js';
import { formatMoveResult, retryLine } from './move-output.js';
import { moveProgress } from './progress.js';
import { assertReportWritable } from './report-file.js';
import { UsageError } from './usage-error.js';

const help = `
Usage: npm run chats:migrate -- [--orphans <policy>] [--move-id <uuid>] [--batch-size <n>]
                                [--lock-timeout <ms>] [--max-rate <rows/s>] [--pause <ms>] [--wait]
                                [--report <file> [--overwrite]] [--json]

Moves the legacy chat_sessions / chat_messages into conversations, conversation_participants and
messages (seed 000 Step 3 mapping). Safe while the old app still writes, and to run again: each run
makes the new tables the exact image of the legacy ones, writing only what changed (new, edited and
deleted legacy rows), and never touches rows the new app wrote. Killed at any moment, the next run
finishes the job. Batches (sessions by key, messages by heap blocks), each its own short
transaction. The legacy tables are only read.

${orphanHelp}
  --batch-size <n>     legacy rows per batch transaction (default 5000; sessions batches hold at most
                       1000: the old app's message inserts wait on their row locks)
  --lock-timeout <ms>  lock_timeout of each batch; a batch that times out is retried up to 4 times
                       with a growing pause (0.25 s, 0.5 s, 1 s, 2 s), each retry a line on stderr;
                       then the command gives up, exit 2 (default 5000)
  --max-rate <rows/s>  at most this many legacy rows per second, averaged over the run: the mover
                       sleeps between batches (never inside one) to keep its WAL, replica lag and
                       I/O under what the primary's other work needs (default: as fast as it can)
  --pause <ms>         wait this long after every batch as well (default 0)
  --wait               if another chats:migrate or chats:rollback runs, wait for it (default: refuse)
  --report <file>      write a JSON report: counts per category, and the id of every legacy row
                       not moved, and why (a new file; checked before anything moves)
  --overwrite          let --report replace an existing file
  --json               print the result as JSON instead of the summary
  --help               show this help

Progress (done/total, rate, ETA) goes to stderr: redrawn on a terminal, a line every 5 s in a log.
Exit codes: 0 moved, 1 failed while moving (re-run: it resumes), 2 could not run (bad flags, database
unreachable or the connection lost, tables missing, another mover running, --move-id names no move,
a batch still locked out after its last retry), 130 interrupted (Ctrl-C; re-run: it resumes).
Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const chatsMigrate = defineCommand({
  name: 'chats:migrate',
  summary: 'move the legacy chats into conversations and messages (resumable)',
  help,
  flags: {
    ...orphanFlags,
    'batch-size': { type: 'string' },
    'lock-timeout': { type: 'string' },
    'max-rate': { type: 'string' },
    pause: { type: 'string' },
    wait: { type: 'boolean' },
    report: { type: 'string' },
    overwrite: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  interrupted:
    'the batches already committed are kept and the interrupted one was rolled back. Run `npm run chats:migrate` again: it resumes.',
  parse: (flags, io) => {
    const report = flags.report === undefined ? undefined : resolve(io.cwd, flags.report);
    // A report that cannot be written is refused before the move, not found after it has committed.
    if (report) assertReportWritable(report, flags.report ?? report, flags.overwrite ?? false);
    if (flags.overwrite && !report) throw new UsageError('--overwrite is only used with --report <file>.');
    return {
      ...orphanOptions(flags),
      batchSize: positiveInteger('batch-size', flags['batch-size']),
      lockTimeoutMs: positiveInteger('lock-timeout', flags['lock-timeout']),
      maxRate: positiveInteger('max-rate', flags['max-rate']),
      pauseMs: wholeNumber('pause', flags.pause),
      wait: flags.wait,
      report,
      reportShown: flags.report,
      json: flags.json ?? false,
    };
  },
  execute: async (params, io) =>
    withDatabase(io, async (handle) => {
      const progress = moveProgress(io, 'chats:migrate');
      const result = await moveLegacyChats(handle.db, {
        orphans: params.orphans,
        moveId: params.moveId,
        batchSize: params.batchSize,
        lockTimeoutMs: params.lockTimeoutMs,
        maxRate: params.maxRate,
        pauseMs: params.pauseMs,
        wait: params.wait,
        onProgress: progress.onProgress,
        // One line per retry, so an operator sees at once that the mover waits on another session's lock.
        onRetry: (r) => io.stderr.write(`chats:migrate: ${retryLine(r)}\n`),
      })
        .catch((e: unknown) => {
          throw readableError(e);
        })
        .finally(() => progress.finish());
      if (params.report) {
        writeFileSync(params.report, `${JSON.stringify(buildMoveReport(result), null, 2)}\n`);
      }
      if (params.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.stdout.write(`Database: ${handle.target}\n${formatMoveResult(result)}\n`);
        if (params.reportShown) io.stdout.write(`Report: ${params.reportShown}\n`);
        io.stdout.write('Next: npm run chats:validate\n');
      }
      return exitCode.ok;
    }),
});
