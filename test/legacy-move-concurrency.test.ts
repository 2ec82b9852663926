import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { insertLegacyDataset, validateLegacyMove } from '../src/operator/legacy-move/index.js';
import { moverLockKey } from '../src/operator/legacy-move/mover-lock.js';
import { count, insertMessage, insertSession, removeSync } from './support/legacy-rows.js';
import { expectNoDuplicates, startMover as startMoverProcess } from './support/mover-process.js';
import { runInProcess } from './support/run.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

// A mover killed mid-run, the old app writing during a move, and two movers at once. Each needs a
// second connection to the same database while the mover runs, so a server.

let database: TestDatabase;
let observer: DatabaseHandle;

beforeEach(async () => {
  if (!hasServer) return;
  database = await createTestDatabase('move_concurrency', { at: 'expanded' });
  observer = await database.open({ maxConnections: 1 });
  await removeSync(observer.db); // the mover's own test: rows reach the new tables through chats:migrate only
  await insertLegacyDataset(observer.db, { sessions: 150, messagesPerSession: 8, seed: 3 });
});

afterEach(async () => {
  if (!hasServer) return;
  await observer?.close();
  await database?.drop();
});

const startMover = (args: string[]) => startMoverProcess(database.env, args);
const noDuplicates = () => expectNoDuplicates(observer.db);

describe('the mover under faults and concurrency', () => {
  it.skipIf(!hasServer)(
    `resumes after SIGKILL in the middle of many batches ${serverOnlyReason}`,
    async () => {
      const totalMessages = await count(observer.db, 'chat_messages');
      const { child, exit } = await startMover(['--batch-size', '5']);
      let killedMidway = false;
      // No deadline: how long the mover takes to start moving depends on the machine's load.
      while (child.exitCode === null && child.signalCode === null) {
        const moved = await count(observer.db, 'legacy_chat_moved_messages');
        if (moved > 0 && moved < totalMessages / 2) {
          child.kill('SIGKILL');
          killedMidway = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const first = await exit;
      expect(killedMidway).toBe(true);
      expect(first.code).toBeNull();
      expect((await validateLegacyMove(observer.db)).ok).toBe(false);

      const second = await runInProcess('chats-migrate.ts', ['--batch-size', '50'], database.env);
      expect(second.stderr).toBe('');
      expect(second.code).toBe(0);
      expect((await validateLegacyMove(observer.db)).ok).toBe(true);
      await noDuplicates();
    },
  );

  it.skipIf(!hasServer)(
    `the old app inserting messages throughout a move, then a final run: validate passes ${serverOnlyReason}`,
    async () => {
      const writer = await database.open({ maxConnections: 1 });
      try {
        const sessions = (
          await queryRows<{ id: string }>(writer.db, sql`select id::text from chat_sessions order by id`)
        ).map((r) => r.id);
        const { child, exit } = await startMover(['--batch-size', '10']);
        let written = 0;
        while (child.exitCode === null) {
          const session = sessions[written % sessions.length] as string;
          await insertMessage(writer.db, session, { content: `live ${written}` });
          if (written % 10 === 0)
            await insertSession(writer.db, { moveId: null, title: `live orphan ${written}` });
          written++;
        }
        const run = await exit;
        expect(run).toEqual({ code: 0, signal: null, stderr: '' });
        expect(written).toBeGreaterThan(0);
      } finally {
        await writer.close();
      }
      const final = await runInProcess('chats-migrate.ts', [], database.env);
      expect(final.code).toBe(0);
      expect((await validateLegacyMove(observer.db)).ok).toBe(true);
      await noDuplicates();
    },
  );

  it.skipIf(!hasServer)(
    `a second mover refuses clearly, or waits with --wait ${serverOnlyReason}`,
    async () => {
      // Hold the move lock the way a running mover does.
      await observer.db.execute(sql`select pg_advisory_lock(${moverLockKey})`);
      const refused = await runInProcess('chats-migrate.ts', [], database.env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('another chats:migrate or chats:rollback is running on this database');
      expect(refused.stderr).toContain('--wait');
      expect(await count(observer.db, 'conversations')).toBe(0);

      const waiting = await startMover(['--wait']);
      // Until its session queues on the move lock (or it exits, which fails below): no deadline.
      const queued = async () =>
        (
          await queryRows<{ n: number }>(
            observer.db,
            sql`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
              where l.locktype = 'advisory' and not l.granted and a.datname = current_database()`,
          )
        )[0]?.n === 1;
      while (waiting.child.exitCode === null && !(await queued()))
        await new Promise((r) => setTimeout(r, 20));
      expect(waiting.child.exitCode).toBeNull();
      expect(await count(observer.db, 'conversations')).toBe(0);
      await observer.db.execute(sql`select pg_advisory_unlock(${moverLockKey})`);
      expect(await waiting.exit).toEqual({ code: 0, signal: null, stderr: '' });
      expect((await validateLegacyMove(observer.db)).ok).toBe(true);
    },
  );

  it.skipIf(!hasServer)(
    `two movers started together: one moves, the other refuses or finds nothing ${serverOnlyReason}`,
    async () => {
      const [a, b] = await Promise.all([
        runInProcess('chats-migrate.ts', ['--batch-size', '20'], database.env),
        runInProcess('chats-migrate.ts', ['--batch-size', '20'], database.env),
      ]);
      const codes = [a.code, b.code].sort();
      expect(codes[0]).toBe(0);
      expect([0, 2]).toContain(codes[1]);
      expect((await validateLegacyMove(observer.db)).ok).toBe(true);
      await noDuplicates();
    },
  );
});
