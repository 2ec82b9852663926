import { defaultLockRetries } from '../../deploy/lock-retries.js';
import { migrateDatabase } from '../../deploy/migrate.js';
import { onlineMarker } from '../../deploy/online-migration.js';
import { recoverDeferredIndexes } from '../legacy-move/deferred-indexes.js';
import { defineCommand } from './command.js';
import { withDatabase } from './database.js';
import { exitCode } from './exit-code.js';
import { positiveInteger } from './move-flags.js';
import { UsageError } from './usage-error.js';

const help = `
Usage: npm run db:migrate -- [--to <tag>] [--accept-drift <reason>] [--lock-timeout <ms>] [--lock-retries <n>]

Applies pending migrations from drizzle/ under an advisory lock (a concurrent deploy waits, then finds
nothing to do), in one transaction, and records them as drizzle-kit does.

Before applying anything it verifies the history (like Flyway's validate-on-migrate): an applied
migration edited since, a migration older than the last applied one (drizzle would skip it forever),
an applied one the journal lost, or a journal that disagrees with its files stops the run, exit 1.

Every migration runs with a short lock_timeout; an attempt that times out is rolled back, reported on
stderr, and retried after a pause (doubling the timeout, at most 5 s), so the app never queues behind a
migration stuck behind a long transaction.

A migration whose first line is \`${onlineMarker}\` (e.g. CREATE INDEX CONCURRENTLY) runs
outside the transaction, statement by statement, holding the lock for the session.

  --to <tag>                stop after this migration (its full tag or its number, e.g. 0002)
  --accept-drift <reason>   deploy past an edited, out-of-order or lost applied migration: each is
                            recorded with the reason in drizzle.conversations_db_accepted_drift, and
                            out-of-order migrations are applied
  --lock-timeout <ms>       lock_timeout of the first attempt (default ${defaultLockRetries.lockTimeoutMs})
  --lock-retries <n>        attempts in all before giving up (default ${defaultLockRetries.attempts})
  --help                    show this help

Database: DATABASE_URL, or the embedded PGlite database in .data/pglite when it is unset.
`;

export const dbMigrate = defineCommand({
  name: 'db:migrate',
  summary: 'verify the history, then apply pending migrations (locked, with lock retries)',
  help,
  flags: {
    to: { type: 'string' },
    'accept-drift': { type: 'string' },
    'lock-timeout': { type: 'string' },
    'lock-retries': { type: 'string' },
  },
  interrupted:
    'the migrations of the transaction that was running were rolled back; an online migration leaves no INVALID index once run again. Run `npm run db:migrate` again.',
  parse: (flags) => {
    const reason = flags['accept-drift'];
    if (reason !== undefined && reason.trim() === '') {
      throw new UsageError('--accept-drift needs a reason (it is recorded with what it accepts)');
    }
    return {
      to: flags.to,
      acceptDrift: reason === undefined ? undefined : { reason },
      lockRetries: {
        ...defaultLockRetries,
        lockTimeoutMs:
          positiveInteger('lock-timeout', flags['lock-timeout']) ?? defaultLockRetries.lockTimeoutMs,
        attempts: positiveInteger('lock-retries', flags['lock-retries']) ?? defaultLockRetries.attempts,
      },
    };
  },
  execute: (params, io) =>
    withDatabase(io, async (handle) => {
      const started = performance.now();
      const result = await migrateDatabase(handle.db, {
        ...params,
        migrationsFolder: io.migrationsFolder,
        onLockRetry: (retry) => {
          io.stderr.write(
            `db:migrate: attempt ${retry.attempt} of ${retry.attempts}${retry.tags.length ? ` (${retry.tags.join(', ')})` : ''} waited ${retry.lockTimeoutMs} ms for a lock and was rolled back (${retry.reason}); retrying in ${retry.backoffMs} ms.\n`,
          );
        },
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const out = io.stdout;
      out.write(`Database: ${handle.target}\n`);
      for (const problem of result.accepted) {
        out.write(`Accepted (recorded): ${problem.file}: ${problem.message}\n`);
      }
      out.write(
        `Already applied: ${result.alreadyApplied.length ? result.alreadyApplied.join(', ') : 'none'}\n`,
      );
      for (const tag of result.applied) out.write(`Applied: ${tag}\n`);
      if (result.applied.length === 0) {
        out.write(
          result.pastTarget
            ? `Nothing to apply: the database is already past ${result.target} (it is at ${result.pastTarget}); to go back, run \`npm run db:rollback -- --to ${result.target}\`.\n`
            : 'Nothing to apply.\n',
        );
      }
      if (result.leftPending.length)
        out.write(`Left pending (after --to): ${result.leftPending.join(', ')}\n`);
      const indexes = await recoverDeferredIndexes(handle.db);
      if (indexes.state === 'rebuilt')
        out.write(`Built again (a stopped chats:migrate left them missing): ${indexes.names.join(', ')}\n`);
      else if (indexes.state === 'mover running')
        out.write(
          `Left to the running chats:migrate (it builds them after its load): ${indexes.names.join(', ')}\n`,
        );
      out.write(`Done in ${seconds}s.\n`);
      return exitCode.ok;
    }),
});
