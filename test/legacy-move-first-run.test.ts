import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import {
  type MoveOptions,
  moveLegacyChats,
  rollbackLegacyMove,
  validateLegacyMove,
} from '../src/operator/legacy-move/index.js';
import { heldOpen, legacyThenExpandedPerTest, shapesDiffer } from './support/cutover.js';
import { count } from './support/legacy-rows.js';
import { backendPid, waitsFor } from './support/lock-waits.js';
import { rejection } from './support/rejection.js';
import { hasServer, serverOnlyReason } from './support/test-database.js';

// A first run's message batches only insert (move-messages-first-run.ts): no probe for a copy to
// rewrite, a ledger row only for the copies the batch inserted. What else holds an id in a batch's
// range (the sync's copy, a new-app message the reverse sync wrote back) must stay as it is, with its
// own ledger row or none. Several connections: a real server only.

let handle: DatabaseHandle;
const { connection } = legacyThenExpandedPerTest('move_first_run', (opened) => {
  handle = opened;
});

const failing = async () =>
  (await validateLegacyMove(handle.db, { orphans: 'archive' })).checks
    .filter((c) => !c.ok)
    .map((c) => [c.check, c.failingIds]);

/** The legacy message of a moved session stored last in chat_messages' heap: the last batch reads it. */
async function lastStoredMovedMessage(): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    handle.db,
    sql`select cm.id::text as id from chat_messages cm join chat_sessions cs on cs.id = cm.session_id
        join moves mv on mv.id = cs.move_id order by cm.ctid desc limit 1`,
  );
  if (!row) throw new Error('the dataset has no message in a session with a move');
  return row.id;
}

/** chats:migrate in small batches on its own connection; `onFirstMessagesBatch` runs once, after the first messages batch committed. */
async function firstRun(mover: DatabaseHandle, onFirstMessagesBatch: () => Promise<void>) {
  let called = false;
  const options: MoveOptions = {
    batchSize: 20,
    lockTimeoutMs: 120_000,
    onBatch: async (batch) => {
      if (batch.phase !== 'messages' || called) return;
      called = true;
      await onFirstMessagesBatch();
    },
  };
  const result = await moveLegacyChats(mover.db, options);
  expect(called).toBe(true);
  return result;
}

describe.skipIf(!hasServer)(`a first run's message batches ${serverOnlyReason}`, () => {
  it("an old-app edit still open when its batch copies the message: the batch waits, then leaves the sync's copy and ledger row", async () => {
    const edited = await lastStoredMovedMessage();
    const oldApp = await connection();
    const mover = await connection();
    const moverBackend = await backendPid(mover.db);
    let oldTransaction: Awaited<ReturnType<typeof heldOpen>> | undefined;
    let moveEnded = false;
    const moving = firstRun(mover, async () => {
      // The session is a conversation now: the sync copies the edit (and writes its ledger row) in the
      // old app's transaction, which stays open over the batch that reads the message's old version.
      oldTransaction = await heldOpen(oldApp.db, (tx) =>
        tx.execute(sql`update chat_messages set content = null, role = 'system' where id = ${edited}::uuid`),
      );
    }).finally(() => {
      moveEnded = true;
    });
    const oldAppBackend = await backendPid(oldApp.db);
    const moverWaits = () => waitsFor(handle.db, moverBackend, oldAppBackend);
    while (!moveEnded && !(oldTransaction && (await moverWaits())))
      await new Promise((r) => setTimeout(r, 20));
    const endedFirst = moveEnded;
    oldTransaction?.commit();
    await oldTransaction?.done;
    const result = await moving;

    expect(endedFirst).toBe(false);
    expect(
      await queryRows(
        handle.db,
        sql`select m.content, m.author_type, lm.content_was_null from messages m
            join legacy_chat_moved_messages lm on lm.message_id = m.id where m.id = ${edited}::uuid`,
      ),
    ).toEqual([{ content: '', author_type: 'system', content_was_null: true }]);
    // Every other copy is the mover's: the sync's is not counted as inserted.
    expect(result.counts.messagesInserted).toBe((await count(handle.db, 'messages')) - 1);
    expect(result.counts.messagesUpdated).toBe(0);
    expect(await count(handle.db, 'legacy_chat_moved_messages')).toBe(await count(handle.db, 'messages'));
    expect(await failing()).toEqual([]);
    expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
  });

  it('a message the new app deletes after its batch read it is not put back: the batch meets the delete in the ledger', async () => {
    // The batch reads its legacy messages, then waits (an old-app edit of an earlier message in the same
    // batch, still open); meanwhile the new app deletes a message whose legacy row the batch read. Its
    // copy is gone by the time the batch inserts it, so the insert meets no row in messages: without a
    // trace of the delete in the ledger the batch would put the message back, with no legacy row.
    const edited = await lastStoredMovedMessage();
    const oldApp = await connection();
    const newApp = await connection();
    const mover = await connection();
    const moverBackend = await backendPid(mover.db);
    let oldTransaction: Awaited<ReturnType<typeof heldOpen>> | undefined;
    let born = '';
    let moveEnded = false;
    const moving = firstRun(mover, async () => {
      // Stored after `edited`, so the last batch reads it after it waits on the old app's edit.
      const [row] = await queryRows<{ id: string }>(
        newApp.db,
        sql`insert into messages (conversation_id, content)
            select session_id, 'new app, deleted mid-batch' from legacy_chat_moved_sessions order by session_id limit 1
            returning id::text as id`,
      );
      born = row?.id ?? '';
      oldTransaction = await heldOpen(oldApp.db, (tx) =>
        tx.execute(sql`update chat_messages set content = 'edited, then undone' where id = ${edited}::uuid`),
      );
    }).finally(() => {
      moveEnded = true;
    });
    const oldAppBackend = await backendPid(oldApp.db);
    while (!moveEnded && !(oldTransaction && (await waitsFor(handle.db, moverBackend, oldAppBackend))))
      await new Promise((r) => setTimeout(r, 20));
    const endedFirst = moveEnded;
    await newApp.db.execute(sql`delete from messages where id = ${born}::uuid`);
    oldTransaction?.rollback();
    await oldTransaction?.done;
    await moving;

    expect(endedFirst).toBe(false);
    expect(born).not.toBe('');
    expect(await count(handle.db, `messages where id = '${born}'`)).toBe(0);
    expect(await count(handle.db, `chat_messages where id = '${born}'`)).toBe(0);
    expect(await failing()).toEqual([]);
    expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
  });

  it('a new-app message the reverse sync writes into chat_messages during the run gets no ledger row: chats:rollback still refuses to delete it', async () => {
    let moved = '';
    let born = '';
    const result = await firstRun(await connection(), async () => {
      // The sessions are moved by now: the new app writes into one of the conversations.
      const [row] = await queryRows<{ id: string; conversation: string }>(
        handle.db,
        sql`insert into messages (conversation_id, content)
            select session_id, 'new app, mid-move' from legacy_chat_moved_sessions order by session_id limit 1
            returning id::text as id, conversation_id::text as conversation`,
      );
      born = row?.id ?? '';
      moved = row?.conversation ?? '';
    });
    expect(born).not.toBe('');

    // The reverse sync wrote it into chat_messages, where the last batch read it and left it alone.
    expect(await count(handle.db, `chat_messages where id = '${born}'`)).toBe(1);
    expect(await count(handle.db, `legacy_chat_moved_messages where message_id = '${born}'`)).toBe(0);
    expect(result.counts.messagesInserted).toBe((await count(handle.db, 'messages')) - 1);
    expect(await failing()).toEqual([]);
    // Had the batch claimed it (a ledger row), the rollback would delete the new app's message.
    const refused = await rejection(rollbackLegacyMove(handle.db));
    expect(refused.message).toContain(moved);
    expect(await count(handle.db, `messages where id = '${born}'`)).toBe(1);
  });

  it('killed midway, the next run (no longer a first run) finishes it; a third run finds nothing to do', async () => {
    let batches = 0;
    const killed = await rejection(
      moveLegacyChats(handle.db, {
        batchSize: 20,
        onBatch: (batch) => {
          if (batch.phase === 'messages' && ++batches === 3) throw new Error('killed after three batches');
        },
      }),
    );
    expect(killed.message).toBe('killed after three batches');
    const copied = await count(handle.db, 'messages');
    expect(copied).toBeGreaterThan(0);

    const second = await moveLegacyChats(handle.db, { batchSize: 20 });
    expect(second.counts.messagesInserted).toBe((await count(handle.db, 'messages')) - copied);
    expect(await failing()).toEqual([]);
    const third = await moveLegacyChats(handle.db, { batchSize: 20 });
    expect([
      third.counts.messagesInserted,
      third.counts.messagesUpdated,
      third.counts.messagesDeleted,
    ]).toEqual([0, 0, 0]);
    expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
  });
});
