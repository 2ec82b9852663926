import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRow, queryRows } from '../src/app/database.js';
import { postgresErrorOf } from '../src/app/errors/postgres-error.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import {
  buildPendingIndexes,
  deferrableIndexes,
  pendingIndexes,
  recoverDeferredIndexes,
} from '../src/operator/legacy-move/deferred-indexes.js';
import {
  insertLegacyDataset,
  moveLegacyChats,
  rollbackLegacyMove,
  validateLegacyMove,
} from '../src/operator/legacy-move/index.js';
import { moverLockName } from '../src/operator/legacy-move/mapping.js';
import { moverLockHolder } from '../src/operator/legacy-move/mover-lock.js';
import { expandedDatabase } from './support/legacy-rows.js';
import { expectNoDuplicates, startMover } from './support/mover-process.js';
import { runInProcess } from './support/run.js';
import { hasServer, serverOnlyReason, type TestDatabase } from './support/test-database.js';

// A first run into an empty `messages` drops its secondary indexes, loads, and builds them again
// (CONCURRENTLY) from the drizzle schema; a run killed in between leaves them missing, and the next
// chats:migrate, db:migrate or db:check builds them. One database for the file: every test starts
// rolled back (nothing moved) with every index in place.

let database: TestDatabase;
let observer: DatabaseHandle;

beforeAll(async () => {
  ({ database, handle: observer } = await expandedDatabase('move_deferred_indexes'));
  // ~2,400 messages over ~30 heap blocks: a messages walk of many batches at --batch-size 100.
  await insertLegacyDataset(observer.db, { sessions: 240, messagesPerSession: 10, seed: 11 });
});

beforeEach(async () => {
  await rollbackLegacyMove(observer.db, { wait: true });
  await buildPendingIndexes(observer.db);
});

afterAll(async () => {
  await observer?.close();
  await database?.drop();
});

/** Every index of `messages` as the catalog states it: name -> definition, valid and ready. */
async function messagesIndexes(
  on: DatabaseHandle = observer,
): Promise<Record<string, { definition: string; valid: boolean }>> {
  const rows = await queryRows<{ name: string; definition: string; valid: boolean }>(
    on.db,
    sql`select c.relname as name, pg_get_indexdef(i.indexrelid) as definition, i.indisvalid and i.indisready as valid
        from pg_index i join pg_class c on c.oid = i.indexrelid
        where i.indrelid = 'public.messages'::regclass order by c.relname`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, { definition: r.definition, valid: r.valid }]));
}

let migrated: Record<string, { definition: string; valid: boolean }>;
beforeAll(async () => {
  migrated = await messagesIndexes();
});

async function counts(
  on: DatabaseHandle = observer,
): Promise<{ messages: number; ledger: number; legacy: number }> {
  return queryRow(
    on.db,
    sql`select (select count(*) from messages)::int as messages,
               (select count(*) from legacy_chat_moved_messages)::int as ledger,
               (select count(*) from chat_messages cm join chat_sessions s on s.id = cm.session_id
                 where s.move_id is not null)::int as legacy`,
  );
}

/** Kills a real chats:migrate once it has loaded messages with the indexes dropped; returns what it left. */
async function killMidLoad(
  db: TestDatabase = database,
  on: DatabaseHandle = observer,
): Promise<{ messages: number; legacy: number }> {
  // --pause: a walk of ~30 message batches lasts seconds, so the poll below lands inside it.
  const mover = await startMover(db.env, ['--batch-size', '100', '--pause', '100']);
  for (;;) {
    const { messages } = await counts(on);
    if (messages > 0 && (await pendingIndexes(on.db)).length === deferrableIndexes.length) break;
    if (mover.child.exitCode !== null) throw new Error(`the mover exited first: ${mover.stderr()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(mover.child.kill('SIGKILL')).toBe(true);
  expect((await mover.exit).signal).toBe('SIGKILL');
  const left = await counts(on);
  expect(left.messages).toBeGreaterThan(0);
  expect(left.messages).toBeLessThan(left.legacy);
  expect((await pendingIndexes(on.db)).map((p) => p.name).sort()).toEqual(
    deferrableIndexes.map((i) => i.name).sort(),
  );
  return left;
}

/** Every index the migrations created is back, valid, with the migrations' exact definition. */
async function expectIndexesAsMigrated(on: DatabaseHandle = observer): Promise<void> {
  expect(await messagesIndexes(on)).toEqual(migrated);
  expect(await pendingIndexes(on.db)).toEqual([]);
}

describe('messages indexes built after a first load', () => {
  it('the deferrable indexes are every non-unique index of messages, and the schema renders them exactly as the migrations built them', async () => {
    const nonUnique = await queryRows<{ name: string }>(
      observer.db,
      sql`select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
          where i.indrelid = 'public.messages'::regclass and not i.indisunique order by 1`,
    );
    expect(deferrableIndexes.map((i) => i.name).sort()).toEqual(nonUnique.map((r) => r.name));
    expect(nonUnique.length).toBe(4);
    for (const { name } of deferrableIndexes) await observer.db.execute(sql.raw(`drop index "${name}"`));
    expect(await pendingIndexes(observer.db)).toHaveLength(4);
    expect((await buildPendingIndexes(observer.db)).sort()).toEqual(nonUnique.map((r) => r.name));
    await expectIndexesAsMigrated();
  });

  it('a first run loads without them and builds them after; a second run keeps them throughout', async () => {
    const seen: number[] = [];
    const first = await moveLegacyChats(observer.db, {
      batchSize: 100,
      onBatch: async ({ phase }) => {
        if (phase === 'messages') seen.push((await pendingIndexes(observer.db)).length);
      },
    });
    expect(seen.length).toBeGreaterThan(5);
    expect(new Set(seen)).toEqual(new Set([4]));
    expect(first.counts.messagesInserted).toBe((await counts()).legacy);
    await expectIndexesAsMigrated();
    expect((await validateLegacyMove(observer.db)).ok).toBe(true);

    seen.length = 0;
    await observer.db.execute(
      sql`update chat_messages set content = 'edited' where id = (select id from chat_messages order by id limit 1)`,
    );
    const second = await moveLegacyChats(observer.db, {
      batchSize: 100,
      onBatch: async ({ phase }) => {
        if (phase === 'messages') seen.push((await pendingIndexes(observer.db)).length);
      },
    });
    expect(new Set(seen)).toEqual(new Set([0]));
    expect(second.counts.messagesUpdated).toBe(1);
    await expectIndexesAsMigrated();
  });

  it.skipIf(!hasServer)(
    `a transaction holding messages when the load starts: the drop waits a moment, then the load keeps the indexes (the old app never queues behind it) ${serverOnlyReason}`,
    async () => {
      const reader = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      try {
        const seen: number[] = [];
        const { result, held } = await reader.begin(async (tx) => {
          await tx`select count(*) from messages`;
          const result = await moveLegacyChats(observer.db, {
            batchSize: 500,
            onBatch: async ({ phase }) => {
              if (phase === 'messages') seen.push((await pendingIndexes(observer.db)).length);
            },
          });
          const [lock] = await tx<{ held: boolean }[]>`select exists (select 1 from pg_locks
            where pid = pg_backend_pid() and relation = 'public.messages'::regclass and mode = 'AccessShareLock') as held`;
          return { result, held: lock?.held };
        });
        expect(held).toBe(true);
        expect(result.retries).toEqual([]);
        expect(seen.length).toBeGreaterThan(0);
        expect(new Set(seen)).toEqual(new Set([0]));
        expect(result.counts.messagesInserted).toBe((await counts()).legacy);
        await expectIndexesAsMigrated();
      } finally {
        await reader.end();
      }
    },
  );

  it.skipIf(!hasServer)(
    `a run that gives up mid-load on a lock exits without waiting for the lock to build the indexes; they are built once it is gone ${serverOnlyReason}`,
    async () => {
      const holder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      let release = () => {};
      const released = new Promise<void>((r) => {
        release = r;
      });
      let lockTaken = () => {};
      const locked = new Promise<void>((r) => {
        lockTaken = r;
      });
      let holding: Promise<unknown> | undefined;
      try {
        const error = await moveLegacyChats(observer.db, {
          batchSize: 100,
          lockTimeoutMs: 50,
          onBatch: async ({ phase }) => {
            if (phase !== 'messages' || holding) return;
            // After the first messages batch, a session takes messages and keeps it past every attempt.
            holding = holder.begin(async (tx) => {
              await tx`lock table messages in exclusive mode`;
              lockTaken();
              await released;
            });
            await locked;
          },
        }).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.name).toBe('BatchLockTimeoutError');
        // Still locked: the indexes are not back yet, and the run did not wait for them.
        expect((await pendingIndexes(observer.db)).map((p) => p.name).sort()).toEqual(
          deferrableIndexes.map((i) => i.name).sort(),
        );
        release();
        await holding;
        expect(await recoverDeferredIndexes(observer.db)).toMatchObject({ state: 'rebuilt' });
        await expectIndexesAsMigrated();
      } finally {
        release();
        await holding?.catch(() => {});
        await holder.end();
      }
    },
  );

  it.skipIf(!hasServer)(
    `SIGKILL mid-load, then chats:migrate: it loads the rest and builds the indexes, every row moved once ${serverOnlyReason}`,
    async () => {
      await killMidLoad();
      const next = await runInProcess('chats-migrate.ts', ['--wait'], database.env);
      expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
      await expectIndexesAsMigrated();
      const after = await counts();
      expect(after.messages).toBe(after.legacy);
      expect(after.ledger).toBe(after.legacy);
      await expectNoDuplicates(observer.db);
      expect((await validateLegacyMove(observer.db)).ok).toBe(true);
    },
  );

  it.skipIf(!hasServer)(
    `SIGKILL mid-load, then chats:rollback: it builds the indexes first (its cascades use them), and nothing is left moved ${serverOnlyReason}`,
    async () => {
      await killMidLoad();
      const rolled = await rollbackLegacyMove(observer.db, { wait: true });
      expect(rolled.messagesDeleted).toBeGreaterThan(0);
      await expectIndexesAsMigrated();
      expect(await counts()).toMatchObject({ messages: 0, ledger: 0 });
    },
  );

  it.skipIf(!hasServer)(
    `SIGKILL mid-load, then db:check: it reports the missing indexes with db:migrate as the fix and builds nothing; while a mover holds the lock, it says to wait ${serverOnlyReason}`,
    async () => {
      const left = await killMidLoad();
      await waitForMoverLockFree(observer);
      const names = deferrableIndexes.map((i) => i.name).join(', ');
      const check = await runInProcess('db-check.ts', ['--only', 'live-schema'], database.env);
      expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 1, stderr: '' });
      // At the expand step live-schema also says the drop is still to come; the indexes are told once.
      expect(check.stdout).toMatch(
        /^live-schema: database: is behind the migrations: \d{4}_drop_legacy_chats not applied yet/,
      );
      expect(check.stdout).toContain(
        `live-schema: database: messages lacks indexes the migrations created: ${names}. A chats:migrate stopped during its first load (it drops them for the load and builds them after) left them so. Fix: run \`npm run db:migrate\``,
      );
      expect(check.stdout.match(/idx_messages/g)?.length).toBe(deferrableIndexes.length);
      // A gate only reads: nothing was built.
      expect((await pendingIndexes(observer.db)).map((p) => p.name)).toEqual(
        deferrableIndexes.map((i) => i.name),
      );

      const holder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      try {
        const [held] = await holder<{ pid: number }[]>`select pg_backend_pid() as pid
          from (select pg_advisory_lock(pg_catalog.hashtextextended(${moverLockName}, 0))) l`;
        const waiting = await runInProcess('db-check.ts', ['--only', 'live-schema'], database.env);
        expect(waiting.code).toBe(1);
        expect(waiting.stdout).toContain(
          `messages lacks indexes the migrations created: ${names}, while a chats:migrate (backend ${held?.pid}, holding the move lock) is loading: it builds them when its load ends. Fix: wait for that chats:migrate to finish`,
        );
      } finally {
        await holder.end();
      }

      // The fix it names works from here.
      const migrate = await runInProcess('db-migrate.ts', ['--to', expandStepTag()], database.env);
      expect({ code: migrate.code, stderr: migrate.stderr }).toEqual({ code: 0, stderr: '' });
      await expectIndexesAsMigrated();
      const again = await runInProcess('db-check.ts', ['--only', 'live-schema'], database.env);
      expect(again.stdout).not.toMatch(/idx_messages/);
      // The rows the killed run committed are untouched.
      expect((await counts()).messages).toBe(left.messages);
    },
  );

  it.skipIf(!hasServer)(
    `chats:rollback goes on without the indexes when their build waits too long for a lock, and stops on any other failure of the build ${serverOnlyReason}`,
    async () => {
      await killMidLoad();
      await waitForMoverLockFree(observer);
      const [first] = deferrableIndexes;
      if (!first) throw new Error('no deferrable index');
      // A table holding the first index's name: its CREATE INDEX fails with 42P07, not a lock timeout.
      await observer.db.execute(sql.raw(`create table "${first.name}" (x int)`));
      try {
        const refused = await rollbackLegacyMove(observer.db, { wait: true }).catch(
          (error: unknown) => error,
        );
        expect(postgresErrorOf(refused)).toMatchObject({
          code: '42P07',
          message: `relation "${first.name}" already exists`,
        });
        expect((await counts()).messages).toBeGreaterThan(0);
      } finally {
        await observer.db.execute(sql.raw(`drop table "${first.name}"`));
      }

      // A transaction holding messages: the concurrent build times out on its lock and the rollback goes on.
      const admin = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      try {
        await admin.begin(async (tx) => {
          await tx`lock table messages in share update exclusive mode`;
          const rolled = await rollbackLegacyMove(observer.db, { wait: true, lockTimeoutMs: 200 });
          expect(rolled.messagesDeleted).toBeGreaterThan(0);
        });
      } finally {
        await admin.end();
      }
      expect(await counts()).toMatchObject({ messages: 0, ledger: 0 });
    },
  );

  it.skipIf(!hasServer)(
    `SIGKILL mid-load, then db:migrate builds the indexes; the move finished and the drop applied, db:check is clean ${serverOnlyReason}`,
    async () => {
      // Its own database: this test applies the drop.
      const own = await expandedDatabase('move_deferred_indexes_drop');
      try {
        await insertLegacyDataset(own.handle.db, { sessions: 240, messagesPerSession: 10, seed: 12 });
        await killMidLoad(own.database, own.handle);
        await waitForMoverLockFree(own.handle);
        const migrate = await runInProcess('db-migrate.ts', ['--to', expandStepTag()], own.database.env);
        expect({ code: migrate.code, stderr: migrate.stderr }).toEqual({ code: 0, stderr: '' });
        expect(migrate.stdout).toContain(
          `Built again (a stopped chats:migrate left them missing): ${deferrableIndexes.map((i) => i.name).join(', ')}\n`,
        );
        await expectIndexesAsMigrated(own.handle);

        const move = await runInProcess('chats-migrate.ts', [], own.database.env);
        expect({ code: move.code, stderr: move.stderr }).toEqual({ code: 0, stderr: '' });
        const after = await counts(own.handle);
        expect(after.messages).toBe(after.legacy);
        const drop = await runInProcess('db-migrate.ts', [], own.database.env);
        expect({ code: drop.code, stderr: drop.stderr }).toEqual({ code: 0, stderr: '' });
        expect(drop.stdout).toMatch(/Applied: \d{4}_drop_legacy_chats/);
        expect(drop.stdout).not.toContain('Built again');
        const check = await runInProcess(
          'db-check.ts',
          ['--only', 'live-schema,live-catalog'],
          own.database.env,
        );
        expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
        expect(check.stdout).toMatch(/^db:check: clean \(database: .+\)\.\n$/);
        await expectIndexesAsMigrated(own.handle);
      } finally {
        await own.handle.close();
        await own.database.drop();
      }
    },
  );

  it.skipIf(!hasServer)(
    `an INVALID index left by a CREATE INDEX CONCURRENTLY that was cancelled is dropped and built again; never while a mover holds the lock ${serverOnlyReason}`,
    async () => {
      const [target] = deferrableIndexes;
      if (!target) throw new Error('no deferrable index');
      await observer.db.execute(sql.raw(`drop index "${target.name}"`));
      const admin = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      const builder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      try {
        // An open snapshot makes the concurrent build wait in its last phase, its index already in the
        // catalog and INVALID; cancelling it then leaves that index behind.
        await admin.begin('isolation level repeatable read', async (tx) => {
          await tx`select count(*) from messages`;
          const [backend] = await builder<{ pid: number }[]>`select pg_backend_pid() as pid`;
          const building = builder.unsafe(target.create).catch((error: Error) => error);
          for (;;) {
            const [row] = await tx<{ waiting: boolean }[]>`select exists (select 1 from pg_stat_activity
              where pid = ${backend?.pid ?? 0} and wait_event_type = 'Lock') as waiting`;
            if (row?.waiting) break;
            await new Promise((r) => setTimeout(r, 10));
          }
          await tx`select pg_cancel_backend(${backend?.pid ?? 0})`;
          expect(String(await building)).toContain('canceling statement');
        });
        expect(await pendingIndexes(observer.db)).toEqual([{ name: target.name, invalid: true }]);

        // A mover holds the lock: nothing is touched.
        const holder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
        try {
          await holder`select pg_advisory_lock(pg_catalog.hashtextextended(${moverLockName}, 0))`;
          expect(await recoverDeferredIndexes(observer.db)).toEqual({
            state: 'mover running',
            names: [target.name],
          });
          expect(await pendingIndexes(observer.db)).toEqual([{ name: target.name, invalid: true }]);
        } finally {
          await holder.end();
        }

        expect(await recoverDeferredIndexes(observer.db)).toEqual({ state: 'rebuilt', names: [target.name] });
        await expectIndexesAsMigrated();
      } finally {
        await admin.end();
        await builder.end();
      }
    },
  );
});

/** The killed mover's backend ends once the server sees its client gone; until then it holds the lock. */
async function waitForMoverLockFree(on: DatabaseHandle): Promise<void> {
  while ((await moverLockHolder(on.db)) !== undefined) await new Promise((r) => setTimeout(r, 20));
}
