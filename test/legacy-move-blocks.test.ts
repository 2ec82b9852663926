import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { moveLegacyChats, validateLegacyMove } from '../src/operator/legacy-move/index.js';
import { count, expandedDatabase, insertMessage, insertMove, insertSession } from './support/legacy-rows.js';
import { hasServer, serverOnlyReason, type TestDatabase } from './support/test-database.js';

// The messages pass walks chat_messages by heap blocks, each batch one statement in READ COMMITTED:
// rows the old app adds while it walks are still moved, and a conversation the old app's write bumped
// meanwhile makes the batch wait, not fail.

let database: TestDatabase;
let handle: DatabaseHandle;
let sessions: string[];

beforeEach(async () => {
  ({ database, handle } = await expandedDatabase('move_blocks'));
  const { moveId } = await insertMove(handle.db, 'owner@example.com');
  sessions = [];
  for (let s = 0; s < 8; s++) {
    const id = await insertSession(handle.db, { moveId, title: `chat ${s}` });
    sessions.push(id);
    for (let m = 0; m < 40; m++)
      await insertMessage(handle.db, id, { content: `message ${s}.${m} ${'x'.repeat(200)}` });
  }
});

afterEach(async () => {
  await handle?.close();
  await database?.drop();
});

describe('the messages pass by heap blocks', () => {
  it('takes several batches, moves every message once, and a message written during the walk too', async () => {
    const blocks = await queryRows<{ n: number }>(
      handle.db,
      sql`select (pg_relation_size('chat_messages') / current_setting('block_size')::int)::int as n`,
    );
    expect(blocks[0]?.n).toBeGreaterThan(3);
    let messageBatches = 0;
    let added: string | undefined;
    const result = await moveLegacyChats(handle.db, {
      batchSize: 20,
      onBatch: async ({ phase, range }) => {
        if (phase !== 'messages') return;
        messageBatches++;
        expect(range).toHaveProperty('fromBlock');
        // The old app writes while the walk runs (the mover's own connection, between two batches).
        if (messageBatches === 1)
          added = await insertMessage(handle.db, sessions[0] as string, { content: 'late' });
      },
    });
    expect(messageBatches).toBeGreaterThan(3);
    expect(result.counts.messagesInserted).toBe(8 * 40 + 1);
    const [moved] = await queryRows<{ n: number }>(
      handle.db,
      sql`select count(*)::int as n from messages where id = ${added ?? null}::uuid and content = 'late'`,
    );
    expect(moved?.n).toBe(1);
    expect(await count(handle.db, 'messages')).toBe(8 * 40 + 1);
    expect(await count(handle.db, 'legacy_chat_moved_messages')).toBe(8 * 40 + 1);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });

  it('a re-run finds its work first: nothing to do runs no batch, one edited message runs its batch alone', async () => {
    await moveLegacyChats(handle.db, { batchSize: 20 });
    const phases: string[] = [];
    const onBatch = ({ phase }: { phase: string }) => {
      phases.push(phase);
    };
    const idle = await moveLegacyChats(handle.db, { batchSize: 20, onBatch });
    expect(phases).toEqual([]);
    expect(Object.values(idle.counts).every((n) => n === 0)).toBe(true);

    // The last message sits in the last block: only that batch runs, and it converges.
    const [last] = await queryRows<{ id: string }>(
      handle.db,
      sql`select id::text as id from chat_messages order by ctid desc limit 1`,
    );
    await handle.db.execute(
      sql`update chat_messages set content = 'edited' where id = ${last?.id ?? null}::uuid`,
    );
    const edited = await moveLegacyChats(handle.db, { batchSize: 20, onBatch });
    expect(phases).toEqual(['messages']);
    expect(edited.counts).toMatchObject({
      messagesUpdated: 1,
      messagesInserted: 0,
      conversationsUpdated: 0,
    });
    expect(await count(handle.db, `messages where id = '${last?.id}' and content = 'edited'`)).toBe(1);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });

  it.skipIf(!hasServer)(
    `a conversation bumped by another session during a batch makes it wait, not fail and retry ${serverOnlyReason}`,
    async () => {
      const [me] = await queryRows<{ pid: number }>(handle.db, sql`select pg_backend_pid() as pid`);
      const other = postgres(database.url as string, { max: 1, onnotice: () => {} });
      const watcher = postgres(database.url as string, { max: 1, onnotice: () => {} });
      const far = '2100-01-01T00:00:00Z';
      try {
        const held = await other.reserve();
        let released: Promise<void> | undefined;
        let firstMessages = true;
        let moveFinished = false;
        let moverWaited = false;
        const result = await moveLegacyChats(handle.db, {
          batchSize: 20,
          onBatch: async ({ phase }) => {
            if (phase !== 'messages' || !firstMessages) return;
            firstMessages = false;
            // Another session bumps every conversation and holds its row locks: the next batch's
            // last_message_at update waits on them. Once the mover waits, that session commits.
            await held`begin`;
            const [holder] = await held<{ pid: number }[]>`select pg_backend_pid() as pid`;
            await held`update conversations set last_message_at = ${far}::timestamptz`;
            // No deadline: polls until the mover waits on that session (or has finished, which fails
            // below). On that session, not on any lock: see lock-waits.ts for what else a mover waits on.
            released = (async () => {
              while (!moveFinished) {
                const [waiting] = await watcher<{ waits: boolean }[]>`
                  select ${holder?.pid ?? 0}::int = any(pg_blocking_pids(${me?.pid ?? 0}::int)) as waits`;
                if (waiting?.waits === true) {
                  moverWaited = true;
                  break;
                }
                await new Promise((r) => setTimeout(r, 10));
              }
              await held`commit`;
              held.release();
            })();
          },
        }).finally(() => {
          moveFinished = true;
        });
        await released;
        expect(moverWaited).toBe(true);
        expect(result.retries).toEqual([]);
        const [bumped] = await queryRows<{ n: number }>(
          handle.db,
          sql`select count(*)::int as n from conversations where last_message_at = ${far}::timestamptz`,
        );
        expect(bumped?.n).toBe(sessions.length);
        expect(await count(handle.db, 'messages')).toBe(8 * 40);
      } finally {
        await other.end();
        await watcher.end();
      }
    },
  );
});
