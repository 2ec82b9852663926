import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { schemaChangeLockName } from '../src/deploy/lock.js';
import { requireApplied } from '../src/deploy/require-applied.js';
import { tablesIn } from './support/catalog.js';
import { describeHostileUse, expectCouldNotRun } from './support/hostile-use.js';
import { runInProcess, runScript } from './support/run.js';
import { createTestDatabase, hasServer, serverOnlyReason } from './support/test-database.js';

describeHostileUse({ name: 'db:migrate', script: 'db-migrate.ts' });
describeHostileUse({ name: 'db:baseline', script: 'db-baseline.ts' });
describeHostileUse({ name: 'db:rollback', script: 'db-rollback.ts', args: ['--to', '0001'] });

describe('commands at the wrong migration state', () => {
  it('db:baseline on a migrated database and db:migrate --to an unknown tag: one line each, nothing written', async () => {
    const database = await createTestDatabase('hostile-state');
    try {
      expect((await runInProcess('db-migrate.ts', ['--to', '0001'], database.env)).code).toBe(0);
      const handle = await database.open();
      const before = await tablesIn(handle.db);
      await handle.close();

      const baseline = await runInProcess('db-baseline.ts', [], database.env);
      expectCouldNotRun(baseline, 'db:baseline', {
        mentions: ['already has a migration history', 'npm run db:migrate'],
      });
      const unknown = await runInProcess('db-migrate.ts', ['--to', '0999_nope'], database.env);
      expectCouldNotRun(unknown, 'db:migrate', { mentions: ['--to 0999_nope: no such migration'] });

      const after = await database.open();
      try {
        expect(await tablesIn(after.db)).toEqual(before);
        // The precondition later commands use: passes at or after the migration, refuses before it.
        await expect(
          requireApplied(after.db, '0001_conversations', 'chats:migrate'),
        ).resolves.toBeUndefined();
        await expect(
          requireApplied(after.db, '0002_conversations_updated_at_trigger', 'chats:migrate'),
        ).rejects.toThrow(
          'chats:migrate needs migration 0002_conversations_updated_at_trigger, but this database is at 0001_conversations. ' +
            'Run `npm run db:migrate -- --to 0002_conversations_updated_at_trigger` first',
        );
      } finally {
        await after.close();
      }
    } finally {
      await database.drop();
    }
  });
});

it('requireApplied on a database without history names db:migrate', async () => {
  const database = await createTestDatabase('hostile-empty');
  const handle = await database.open();
  try {
    await expect(requireApplied(handle.db, '0001_conversations', 'chats:validate')).rejects.toThrow(
      'chats:validate needs migration 0001_conversations, but this database has no migration history.',
    );
  } finally {
    await handle.close();
    await database.drop();
  }
});

it.skipIf(!hasServer)(
  `db:migrate whose connection is terminated mid-run: exit 2, one line, nothing applied ${serverOnlyReason}`,
  async () => {
    const database = await createTestDatabase('hostile-terminated');
    const holder = postgres(database.url ?? '', { max: 2, onnotice: () => {} });
    try {
      // Hold the schema-change lock so db:migrate waits inside its transaction, then kill its backend.
      const held = holder.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended(${schemaChangeLockName}, 0))`;
        // A real process: the driver's write-after-close TypeError escapes every promise (see isDriverWriteAfterClose).
        const running = runScript('db-migrate.ts', [], database.env);
        let exited = false;
        const markExited = () => {
          exited = true;
        };
        running.then(markExited, markExited);
        // No deadline: a loaded machine may take many seconds to start the command; only its exit ends the wait.
        let victims: { pid: number }[] = [];
        while (victims.length === 0 && !exited) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          // A fresh connection each time: pg_stat_activity is a snapshot within a transaction.
          victims = await holder`select pid from pg_stat_activity
            where datname = current_database() and application_name = 'conversations-db' and wait_event_type = 'Lock'`;
        }
        expect(victims).toHaveLength(1);
        await holder`select pg_terminate_backend(${victims[0]?.pid ?? 0})`;
        return running;
      });
      const result = await held;
      expectCouldNotRun(result, 'db:migrate', {
        mentions: ['connection to the database server was lost', 'rolled back', 'Run the command again'],
      });
      const handle = await database.open();
      try {
        expect(await tablesIn(handle.db)).toEqual([]);
      } finally {
        await handle.close();
      }
    } finally {
      await holder.end();
      await database.drop();
    }
  },
);
