import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { Random } from '../src/app/seeded-random.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import {
  insertLegacyDataset,
  type MoveReport,
  moveLegacyChats,
  rollbackLegacyMove,
  validateLegacyMove,
} from '../src/operator/legacy-move/index.js';
import { expectCouldNotRun } from './support/hostile-use.js';
import { expandedDatabase } from './support/legacy-rows.js';
import { expectNoDuplicates, type MoverProcess, startMover } from './support/mover-process.js';
import { runInProcess } from './support/run.js';
import { hasServer, serverOnlyReason, type TestDatabase } from './support/test-database.js';

// Faults during the move, each against the real chats:migrate in its own process: SIGKILL at many
// points, the server ending its connection, and another session holding a lock on a target table.
// Each needs a second connection while the mover runs, so a server. One database for the file: every
// test leaves it rolled back (nothing moved) for the next.

let database: TestDatabase;
let observer: DatabaseHandle;
let reportDir: string;

beforeAll(async () => {
  if (!hasServer) return;
  ({ database, handle: observer } = await expandedDatabase('move_faults'));
  await insertLegacyDataset(observer.db, { sessions: 60, messagesPerSession: 6, seed: 7 });
  reportDir = mkdtempSync(join(tmpdir(), 'cdb-faults-'));
});

// Each test starts with nothing moved, even when the one before failed halfway.
beforeEach(async () => {
  if (!hasServer) return;
  await rollbackLegacyMove(observer.db, { wait: true });
});

afterAll(async () => {
  if (!hasServer) return;
  await observer?.close();
  await database?.drop();
  rmSync(reportDir, { recursive: true, force: true });
});

/** Rows the move has written so far: ledger sessions and messages, and archived orphans. */
async function progress(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    observer.db,
    sql`select ((select count(*) from legacy_chat_moved_sessions) + (select count(*) from legacy_chat_moved_messages)
              + (select count(*) from chat_session_archive))::int as n`,
  );
  return row?.n ?? 0;
}

/** What progress() reads once the move is complete. */
async function finalProgress(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    observer.db,
    sql`select ((select count(*) from chat_sessions)
              + (select count(*) from chat_messages cm join chat_sessions s on s.id = cm.session_id
                 where s.move_id is not null))::int as n`,
  );
  return row?.n ?? 0;
}

/** Polls until the mover has written `atLeast` rows (or has exited); returns the progress then. */
async function waitForProgress(mover: MoverProcess, atLeast: number): Promise<number> {
  for (;;) {
    const now = await progress();
    if (now >= atLeast || mover.child.exitCode !== null) return now;
    await new Promise((r) => setTimeout(r, 3));
  }
}

/**
 * The backend pid of the mover once it waits on a lock; undefined if the mover exits first. Polls
 * with no deadline: how long the mover takes to get there depends on the machine's load.
 */
async function waitForMoverToWaitOnALock(
  admin: postgres.Sql,
  mover: MoverProcess,
): Promise<number | undefined> {
  for (;;) {
    if (mover.child.exitCode !== null || mover.child.signalCode !== null) return undefined;
    const [waiting] = await admin<{ pid: number }[]>`select pid from pg_stat_activity
      where datname = current_database() and application_name = 'conversations-db' and wait_event_type = 'Lock'`;
    if (waiting) return waiting.pid;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Whole batches only, whenever the mover stopped: no conversation without its ledger row and its
 * AI participant, no ledger row without its copy, no message outside the ledger.
 */
async function expectWholeBatches(): Promise<void> {
  const [row] = await queryRows<Record<string, number>>(
    observer.db,
    sql`select
      (select count(*) from conversations c where not exists
         (select 1 from legacy_chat_moved_sessions l where l.session_id = c.id))::int as conversations_outside_ledger,
      (select count(*) from legacy_chat_moved_sessions l where not exists
         (select 1 from conversations c where c.id = l.session_id))::int as ledger_without_conversation,
      (select count(*) from conversations c where (select count(*) from conversation_participants p
         where p.conversation_id = c.id and p.participant_type = 'ai') <> 1)::int as conversations_without_one_ai,
      (select count(*) from messages m where not exists
         (select 1 from legacy_chat_moved_messages l where l.message_id = m.id))::int as messages_outside_ledger,
      (select count(*) from legacy_chat_moved_messages l where not exists
         (select 1 from messages m where m.id = l.message_id))::int as ledger_without_message`,
  );
  expect(row).toEqual({
    conversations_outside_ledger: 0,
    ledger_without_conversation: 0,
    conversations_without_one_ai: 0,
    messages_outside_ledger: 0,
    ledger_without_message: 0,
  });
}

async function expectNothingMoved(): Promise<void> {
  expect(await progress()).toBe(0);
  const [row] = await queryRows<{ conversations: number; participants: number; messages: number }>(
    observer.db,
    sql`select (select count(*) from conversations)::int as conversations,
               (select count(*) from conversation_participants)::int as participants,
               (select count(*) from messages)::int as messages`,
  );
  expect(row).toEqual({ conversations: 0, participants: 0, messages: 0 });
}

/** The same kill points on every machine. */
function seededFractions(seed: number, n: number, from: number, to: number): number[] {
  const random = new Random(seed);
  return Array.from({ length: n }, () => from + (to - from) * random.next());
}

/** An advisory lock held in this database: the mover's (nothing else here takes one). */
async function moverBackend(admin: postgres.Sql): Promise<number | undefined> {
  const rows = await admin<{ pid: number }[]>`
    select l.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and a.datname = current_database()
      and a.application_name = 'conversations-db'`;
  return rows[0]?.pid;
}

describe('faults during the move', () => {
  // One test per kill point, each starting rolled back: eight kills in one test shared one time limit,
  // which a loaded machine ran out of.
  it
    .skipIf(!hasServer)
    .each(seededFractions(20261122, 8, 0.05, 0.85).map((fraction, i) => ({ i, n: i + 1, fraction })))(
    `SIGKILL at seeded point $n of 8 of a many-batch move: whole batches only, the next run converges, validate passes ${serverOnlyReason}`,
    async ({ i, fraction }) => {
      const final = await finalProgress();
      const point = Math.max(1, Math.floor(fraction * final));
      // Polling can overshoot the kill point past the last batch when this process waits for a core;
      // such a run proves nothing about a kill mid-move, so it is rolled back and run again.
      let atKill = final;
      for (let attempt = 0; attempt < 5 && atKill >= final; attempt++) {
        if (attempt > 0) await rollbackLegacyMove(observer.db, { wait: true });
        const mover = await startMover(database.env, ['--batch-size', '3']);
        atKill = await waitForProgress(mover, point);
        const aliveAtKill = mover.child.kill('SIGKILL');
        const killed = await mover.exit;
        if (!aliveAtKill) atKill = final;
        else expect(killed.signal).toBe('SIGKILL');
      }
      expect(atKill, `kill point ${i} (${point} rows) landed mid-move`).toBeLessThan(final);
      await expectWholeBatches();

      // The next run: alternately the real command and the library, with another batch size. With
      // --wait: the server may not yet have noticed that the killed mover's client is gone, and its
      // backend holds the move lock until it does (a plain re-run would be refused, exit 2, saying so).
      if (i % 2 === 0) {
        const next = await runInProcess('chats-migrate.ts', ['--batch-size', '17', '--wait'], database.env);
        expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
        const validate = await runInProcess('chats-validate.ts', [], database.env);
        expect({ code: validate.code, stderr: validate.stderr }).toEqual({ code: 0, stderr: '' });
      } else {
        const result = await moveLegacyChats(observer.db, { batchSize: 40, wait: true });
        expect(result.retries).toEqual([]);
        expect((await validateLegacyMove(observer.db)).ok).toBe(true);
      }
      expect(await progress()).toBe(final);
      await expectNoDuplicates(observer.db);
      await rollbackLegacyMove(observer.db);
      await expectNothingMoved();
    },
  );

  it.skipIf(!hasServer)(
    `the server ends the mover's connection mid-run (pg_terminate_backend): exit 2, one line, whole batches; a re-run converges ${serverOnlyReason}`,
    async () => {
      const admin = postgres(database.url ?? '', { max: 2, onnotice: () => {} });
      try {
        const final = await finalProgress();
        // Mid-run by construction, not by timing: the message ledger is locked before the mover starts,
        // so it moves every session batch, then waits at its first message batch (a lock_timeout longer
        // than any test) until its backend is terminated. Polling for progress instead raced the mover,
        // which could finish while this process waited for a core.
        const { code, stderr, atKill } = await admin.begin(async (tx) => {
          await tx`lock table legacy_chat_moved_messages in exclusive mode`;
          const mover = await startMover(database.env, ['--batch-size', '3', '--lock-timeout', '3600000']);
          const pid = await waitForMoverToWaitOnALock(admin, mover);
          expect(pid, `the mover exited without waiting: ${mover.stderr()}`).toBeGreaterThan(0);
          const atKill = await progress();
          await admin`select pg_terminate_backend(${pid ?? 0}, 5000)`;
          return { ...(await mover.exit), atKill };
        });
        expect(atKill).toBeGreaterThan(0);
        expect(atKill).toBeLessThan(final);
        expectCouldNotRun({ code, signal: null, stdout: '', stderr }, 'chats:migrate', {
          mentions: ['connection', 'lost', 'Run the command again'],
        });
        expect(await moverBackend(admin)).toBeUndefined();
        await expectWholeBatches();
        expect((await validateLegacyMove(observer.db)).ok).toBe(false);

        const next = await runInProcess('chats-migrate.ts', ['--batch-size', '25'], database.env);
        expect({ code: next.code, stderr: next.stderr }).toEqual({ code: 0, stderr: '' });
        expect((await validateLegacyMove(observer.db)).ok).toBe(true);
        await expectNoDuplicates(observer.db);
      } finally {
        await admin.end();
        await rollbackLegacyMove(observer.db);
      }
      await expectNothingMoved();
    },
  );

  it.skipIf(!hasServer)(
    `the server ends the mover's connection between two batches: the driver reconnects, and the next batch stops instead of moving without the lock ${serverOnlyReason}`,
    async () => {
      const mover = await database.open({ maxConnections: 1 });
      const admin = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      let atTermination = -1;
      try {
        const run = moveLegacyChats(mover.db, {
          batchSize: 5,
          onBatch: async ({ index }) => {
            if (index !== 3) return;
            atTermination = await progress();
            await terminateAndWait(admin, (await moverBackend(admin)) ?? 0);
          },
        });
        await expect(run).rejects.toThrow(
          /^the connection holding the move lock was lost .* Run the command again\.$/,
        );
        expect(await moverBackend(admin)).toBeUndefined();
        await expectWholeBatches();
        // Not one row written after the lock was gone.
        expect(atTermination).toBeGreaterThan(0);
        expect(await progress()).toBe(atTermination);
      } finally {
        await mover.close();
        await admin.end();
        await rollbackLegacyMove(observer.db);
      }
      await expectNothingMoved();
    },
  );

  it.skipIf(!hasServer)(
    `the server ends the mover's connection while its keyset query waits on a lock: the same readable line, nothing written after ${serverOnlyReason}`,
    async () => {
      const mover = await database.open({ maxConnections: 1 });
      const admin = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      const held = holdLock(database.url ?? '', 'chat_sessions, chat_messages');
      let atTermination = -1;
      try {
        const outcome = moveLegacyChats(mover.db, {
          batchSize: 5,
          onBatch: async ({ index }) => {
            if (index !== 2) return;
            atTermination = await progress();
            await held.acquire();
          },
        }).then(
          () => new Error('the move completed'),
          (error: unknown) => error,
        );
        const waiting = await lockWaiter(admin);
        // The statement the terminate lands on is the keyset query, not a batch transaction.
        expect(waiting.query).toMatch(/^select t\.id::text as id from chat_sessions/);
        await terminateAndWait(admin, waiting.pid);
        const error = await outcome;
        expect((error as Error).message).toMatch(
          /^the connection holding the move lock was lost \(backend \d+, [^)]+\): .* Run the command again\.$/,
        );
        await held.release();
        expect(await moverBackend(admin)).toBeUndefined();
        await expectWholeBatches();
        expect(atTermination).toBeGreaterThan(0);
        expect(await progress()).toBe(atTermination);
      } finally {
        await held.release();
        await mover.close();
        await admin.end();
        await rollbackLegacyMove(observer.db);
      }
      await expectNothingMoved();
    },
  );

  it.skipIf(!hasServer)(
    `the server ends chats:rollback's connection while its probe for app data waits on a lock: the readable line, the move kept ${serverOnlyReason}`,
    async () => {
      await moveLegacyChats(observer.db);
      const moved = await progress();
      const rollbackHandle = await database.open({ maxConnections: 1 });
      const admin = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      const held = holdLock(database.url ?? '', 'legacy_chat_moved_sessions');
      try {
        await held.acquire();
        const outcome = rollbackLegacyMove(rollbackHandle.db).then(
          () => new Error('the rollback completed'),
          (error: unknown) => error,
        );
        const waiting = await lockWaiter(admin);
        expect(waiting.query).toMatch(/^\s*select l\.session_id::text as id from legacy_chat_moved_sessions/);
        await terminateAndWait(admin, waiting.pid);
        const error = await outcome;
        expect((error as Error).message).toMatch(
          /^the connection holding the move lock was lost \(backend \d+, [^)]+\): .* Run the command again\.$/,
        );
        await held.release();
        expect(await progress()).toBe(moved);
        await expectWholeBatches();
      } finally {
        await held.release();
        await rollbackHandle.close();
        await admin.end();
        await rollbackLegacyMove(observer.db);
      }
      await expectNothingMoved();
    },
  );

  it.skipIf(!hasServer)(
    `a lock held on conversations past --lock-timeout: the batch retries with growing pauses, each retry reported, and the move completes ${serverOnlyReason}`,
    async () => {
      const holder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      const reportFile = join(reportDir, 'retried.json');
      try {
        let mover: MoverProcess | undefined;
        await holder.begin(async (tx) => {
          await tx`lock table conversations in exclusive mode`;
          mover = await startMover(database.env, [
            '--lock-timeout',
            '100',
            '--batch-size',
            '20',
            '--report',
            reportFile,
          ]);
          // Release the lock after the second retry is announced: the third attempt gets through.
          while (!/attempt 2 of 5/.test(mover.stderr()) && mover.child.exitCode === null) {
            await new Promise((r) => setTimeout(r, 20));
          }
          expect(await progress()).toBe(0);
        });
        const run = await (mover as MoverProcess).exit;
        expect(run.code).toBe(0);
        const lines = run.stderr.trimEnd().split('\n');
        expect(lines.length).toBeGreaterThanOrEqual(2);
        for (const [i, line] of lines.entries()) {
          expect(line).toMatch(
            new RegExp(
              `^chats:migrate: sessions batch 1 attempt ${i + 1} of 5 failed \\(55P03: canceling statement due to lock timeout\\); retrying in \\d+ ms$`,
            ),
          );
        }
        const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MoveReport;
        expect(report.retries.map((r) => [r.batch, r.attempt, r.code])).toEqual(
          lines.map((_, i) => ['sessions batch 1', i + 1, '55P03']),
        );
        // Backoff: each pause longer than the one before.
        const pauses = report.retries.map((r) => r.backoffMs);
        for (let i = 1; i < pauses.length; i++) expect(pauses[i]).toBeGreaterThan(pauses[i - 1] ?? 0);
        expect((await validateLegacyMove(observer.db)).ok).toBe(true);
        await expectNoDuplicates(observer.db);
      } finally {
        await holder.end();
        await rollbackLegacyMove(observer.db);
      }
      await expectNothingMoved();
    },
  );

  it.skipIf(!hasServer)(
    `chats:rollback meets a lock on conversations: retried, each retry a line, then done ${serverOnlyReason}`,
    async () => {
      await moveLegacyChats(observer.db);
      const holder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      try {
        let rollback: MoverProcess | undefined;
        await holder.begin(async (tx) => {
          await tx`lock table conversations in exclusive mode`;
          rollback = await startMover(database.env, ['--lock-timeout', '100'], 'chats-rollback.ts');
          while (!/attempt 1 of 5/.test(rollback.stderr()) && rollback.child.exitCode === null) {
            await new Promise((r) => setTimeout(r, 20));
          }
        });
        const run = await (rollback as MoverProcess).exit;
        expect(run.code).toBe(0);
        const lines = run.stderr.trimEnd().split('\n');
        for (const [i, line] of lines.entries()) {
          expect(line).toMatch(
            new RegExp(
              `^chats:rollback: rollback batch 1 attempt ${i + 1} of 5 failed \\(55P03: .*\\); retrying in \\d+ ms$`,
            ),
          );
        }
      } finally {
        await holder.end();
      }
      await expectNothingMoved();
    },
  );

  it.skipIf(!hasServer)(
    `a lock that outlasts every attempt: exit 2, the last line names the lock and what to do, nothing half-done ${serverOnlyReason}`,
    async () => {
      const holder = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
      try {
        const holderPid = await holder.begin(async (tx) => {
          await tx`lock table messages in exclusive mode`;
          const [me] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
          const mover = await startMover(database.env, ['--lock-timeout', '50', '--batch-size', '500']);
          return { pid: me?.pid, run: await mover.exit };
        });
        const { code, stderr } = holderPid.run;
        expect(code).toBe(2);
        const lines = stderr.trimEnd().split('\n');
        expect(lines).toHaveLength(5);
        for (const line of lines.slice(0, 4))
          expect(line).toMatch(/^chats:migrate: messages batch \d+ attempt \d of 5 failed/);
        expect(lines[4]).toMatch(/^chats:migrate: messages batch \d+ gave up after 5 attempts/);
        expect(lines[4]).toContain(`backend ${holderPid.pid} (ExclusiveLock on messages)`);
        expect(lines[4]).toContain('That batch wrote nothing');
        expect(lines[4]).toContain('raise --lock-timeout');
        // The sessions went through before the messages batch gave up; not one message did.
        const [row] = await queryRows<{ messages: number; ledger: number }>(
          observer.db,
          sql`select (select count(*) from messages)::int as messages,
                     (select count(*) from legacy_chat_moved_messages)::int as ledger`,
        );
        expect(row).toEqual({ messages: 0, ledger: 0 });
        await expectWholeBatches();
      } finally {
        await holder.end();
        await rollbackLegacyMove(observer.db);
      }
      await expectNothingMoved();
    },
  );
});

/** Ends a backend and waits until it is gone (its locks released with it), however loaded the machine. */
async function terminateAndWait(admin: postgres.Sql, pid: number): Promise<void> {
  await admin`select pg_terminate_backend(${pid})`;
  for (;;) {
    const [row] = await admin<{ alive: boolean }[]>`
      select exists (select 1 from pg_stat_activity where pid = ${pid}) as alive`;
    if (!row?.alive) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The package's backend waiting on a table lock in this database, once it waits, and its statement. */
async function lockWaiter(admin: postgres.Sql): Promise<{ pid: number; query: string }> {
  for (;;) {
    const [row] = await admin<{ pid: number; query: string }[]>`
      select pid, query from pg_stat_activity
      where datname = current_database() and application_name = 'conversations-db' and wait_event_type = 'Lock'`;
    if (row) return row;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * An ACCESS EXCLUSIVE lock on `tables`, taken in its own connection when acquire() is called and held
 * until release(): the point the test controls where a mover's next statement must wait.
 */
function holdLock(url: string, tables: string): { acquire(): Promise<void>; release(): Promise<void> } {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  let releaseLock: () => void = () => {};
  let holding: Promise<unknown> = Promise.resolve();
  let ended = false;
  return {
    acquire: () =>
      new Promise<void>((granted, failed) => {
        const released = new Promise<void>((r) => {
          releaseLock = r;
        });
        holding = client
          .begin(async (tx) => {
            await tx.unsafe(`lock table ${tables} in access exclusive mode`);
            granted();
            await released;
          })
          .catch(failed);
      }),
    release: async () => {
      if (ended) return;
      ended = true;
      releaseLock();
      await holding;
      await client.end();
    },
  };
}
