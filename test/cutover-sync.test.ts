import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { messages } from '../src/app/schema/messages.js';
import { withUser } from '../src/app/security/with-user.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { maxLockTimeoutMs } from '../src/deploy/lock-retries.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import { rollbackDatabase } from '../src/deploy/rollback.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { goLive, readCutoverStatus } from '../src/operator/cutover/index.js';
import { pruneGuardLog } from '../src/operator/cutover/prune-guard-log.js';
import {
  moveLegacyChats,
  planLegacyMove,
  rollbackLegacyMove,
  validateLegacyMove,
} from '../src/operator/legacy-move/index.js';
import { tablesIn } from './support/catalog.js';
import { heldOpen, legacyThenExpandedPerTest, retried, shapesDiffer } from './support/cutover.js';
import { count, insertMessage, insertSession } from './support/legacy-rows.js';
import { backendPid, waitsFor } from './support/lock-waits.js';
import { rejection } from './support/rejection.js';
import { hasServer, serverOnlyReason } from './support/test-database.js';

// The cutover (issue 11): from the expand step to the drop both shapes are live and equal under the
// mapping, whoever writes; the new tables win after go-live; the drop waits for equality; falling back
// loses nothing. Several connections: a real server only.

let handle: DatabaseHandle;
const { connection } = legacyThenExpandedPerTest('cutover', (opened) => {
  handle = opened;
});

const failing = async (db = handle.db, orphans: 'archive' | 'keep' = 'archive') =>
  (await validateLegacyMove(db, { orphans })).checks.filter((c) => !c.ok).map((c) => [c.check, c.failingIds]);

const anyRow = async (query: ReturnType<typeof sql>) =>
  (await queryRows<{ id: string }>(handle.db, query))[0]?.id ?? '';

const movedConversation = () =>
  anyRow(sql`select session_id::text as id from legacy_chat_moved_sessions order by session_id limit 1`);
const movedMessage = () =>
  anyRow(sql`select message_id::text as id from legacy_chat_moved_messages order by message_id limit 1`);
const aMove = () => anyRow(sql`select id::text as id from moves order by id limit 1`);

describe.skipIf(!hasServer)(`the sync ${serverOnlyReason}`, () => {
  it('is on from the expand step: chats:status says expand, then backfill once chats:migrate ran', async () => {
    expect(await readCutoverStatus(handle.db)).toMatchObject({
      phase: 'expand',
      sync: 'on',
      orphanPolicy: null,
      liveAt: null,
    });
    await moveLegacyChats(handle.db);
    expect(await readCutoverStatus(handle.db)).toMatchObject({ phase: 'backfill', orphanPolicy: 'archive' });
    expect(await failing()).toEqual([]);
  });

  it('forward: every old-app INSERT, UPDATE and DELETE reaches the new tables under the mapping, ledger included', async () => {
    await moveLegacyChats(handle.db);
    const moveId = await aMove();
    const session = await insertSession(handle.db, { moveId, title: null });
    const m1 = await insertMessage(handle.db, session, { content: null, role: 'assistant' });
    const m2 = await insertMessage(handle.db, session, { metadata: { isEmail: true, other: [1] } });
    const orphan = await insertSession(handle.db, { moveId: null });
    const orphanMessage = await insertMessage(handle.db, orphan, { content: 'lost?' });
    expect(
      await queryRows(
        handle.db,
        sql`select title, l.title_was_null from conversations c
      join legacy_chat_moved_sessions l on l.session_id = c.id where c.id = ${session}::uuid`,
      ),
    ).toEqual([{ title: 'New Conversation', title_was_null: true }]);
    expect(
      await queryRows(
        handle.db,
        sql`select m.content, m.author_type, lm.content_was_null from messages m
        join legacy_chat_moved_messages lm on lm.message_id = m.id where m.id = ${m1}::uuid`,
      ),
    ).toEqual([{ content: '', author_type: 'ai', content_was_null: true }]);
    expect(
      await count(handle.db, `conversation_participants where conversation_id = '${session}'`),
    ).toBeGreaterThan(0);
    // The orphan follows the recorded policy (archive), its message too.
    expect(
      await count(
        handle.db,
        `chat_session_archive where session_id = '${orphan}'
      and messages @> '[{"id": "${orphanMessage}"}]'`,
      ),
    ).toBe(1);
    expect(await failing()).toEqual([]);

    await handle.db.execute(sql`update chat_sessions set title = 'renamed' where id = ${session}::uuid`);
    await handle.db.execute(sql`update chat_messages set content = 'now text' where id = ${m1}::uuid`);
    await handle.db.execute(
      sql`update chat_sessions set move_id = ${moveId}::uuid where id = ${orphan}::uuid`,
    );
    expect(await count(handle.db, `chat_session_archive where session_id = '${orphan}'`)).toBe(0);
    expect(await count(handle.db, `messages where id = '${orphanMessage}'`)).toBe(1);
    await handle.db.execute(sql`delete from chat_messages where id = ${m2}::uuid`);
    expect(await count(handle.db, `messages where id = '${m2}'`)).toBe(0);
    // Its ledger row stays as a tombstone (no message), which a concurrent chats:migrate batch conflicts on.
    expect(
      await count(
        handle.db,
        `legacy_chat_moved_messages lm where message_id = '${m2}'
        and exists (select 1 from messages m where m.id = lm.message_id)`,
      ),
    ).toBe(0);
    expect(await failing()).toEqual([]);
    expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
  });

  it('reverse: every new-app write reaches the legacy tables, an app-role insert under RLS included, with no ping-pong', async () => {
    await moveLegacyChats(handle.db);
    const moved = await movedConversation();
    const moveId = await aMove();
    // A conversation born in the new app, with new-only fields the legacy shape cannot hold.
    const born = randomUUID();
    await handle.db.execute(sql`insert into users (id, email) values ('alice', 'alice@example.com')`);
    await handle.db.execute(sql`insert into conversations (id, move_id, title, type, status, created_by)
      values (${born}::uuid, ${moveId}::uuid, 'born new', 'budget', 'archived', 'alice')`);
    await handle.db.execute(sql`insert into conversation_participants (conversation_id, user_id, participant_type, role)
      values (${born}::uuid, 'alice', 'employee', 'owner'), (${moved}::uuid, 'alice', 'employee', 'participant')`);
    const fromApp = await withUser(handle.db, 'alice', (tx) =>
      tx
        .insert(messages)
        .values({ conversationId: moved, authorId: 'alice', authorType: 'user', content: 'via the app role' })
        .returning({ id: messages.id }),
    );
    await handle.db.execute(
      sql`insert into messages (conversation_id, author_type, content) values (${born}::uuid, 'ai', 'hi')`,
    );
    await handle.db.execute(
      sql`update conversations set title = 'edited by the app', status = 'closed' where id = ${moved}::uuid`,
    );

    expect(
      await queryRows(
        handle.db,
        sql`select title, move_id::text from chat_sessions where id = ${born}::uuid`,
      ),
    ).toEqual([{ title: 'born new', move_id: moveId }]);
    expect(
      await queryRows(
        handle.db,
        sql`select session_id::text, role::text, content from chat_messages where id = ${fromApp[0]?.id}::uuid`,
      ),
    ).toEqual([{ session_id: moved, role: 'user', content: 'via the app role' }]);
    expect(
      await queryRows(handle.db, sql`select title from chat_sessions where id = ${moved}::uuid`),
    ).toEqual([{ title: 'edited by the app' }]);
    // Born new: no ledger row, so rollback and the mover treat it as the new app's.
    expect(await count(handle.db, `legacy_chat_moved_sessions where session_id = '${born}'`)).toBe(0);
    // No ping-pong: the new-only fields stay as the app wrote them.
    expect(
      await queryRows(
        handle.db,
        sql`select type::text, status::text from conversations where id = ${born}::uuid`,
      ),
    ).toEqual([{ type: 'budget', status: 'archived' }]);
    await handle.db.execute(sql`delete from conversations where id = ${born}::uuid`);
    expect(await count(handle.db, `chat_sessions where id = '${born}'`)).toBe(0);
    expect(await failing()).toEqual([]);
    expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
  });

  it('an orphan the old app writes before any chats:migrate waits for it: listed by validate, then archived by the policy chats:migrate records', async () => {
    const orphan = await insertSession(handle.db, { moveId: null, title: 'no move yet' });
    await insertMessage(handle.db, orphan, { content: 'waiting' });
    expect(await count(handle.db, `chat_session_archive where session_id = '${orphan}'`)).toBe(0);
    expect(
      (await failing()).find(([check]) => String(check).startsWith('every orphan session'))?.[1],
    ).toContain(orphan);
    await moveLegacyChats(handle.db);
    expect(await count(handle.db, `chat_session_archive where session_id = '${orphan}'`)).toBe(1);
    // From now on the sync applies the recorded policy at once.
    const next = await insertSession(handle.db, { moveId: null });
    expect(await count(handle.db, `chat_session_archive where session_id = '${next}'`)).toBe(1);
    expect(await failing()).toEqual([]);
  });

  /**
   * Runs chats:migrate while an old-app transaction that ran `write` (its sync trigger included) stays
   * open, and commits it once the mover waits on one of its locks. No deadline: polls until the mover
   * waits, or has ended (then the write committed after the move: `endedFirst`, which the tests fail on).
   */
  async function moveWhileTheOldAppWrites(write: ReturnType<typeof sql>) {
    const oldApp = await connection();
    const mover = await connection();
    const moverBackend = await backendPid(mover.db);
    const oldAppBackend = await backendPid(oldApp.db);
    const oldTransaction = await heldOpen(oldApp.db, (tx) => tx.execute(write));
    let moveEnded = false;
    const moving = moveLegacyChats(mover.db, { batchSize: 20, lockTimeoutMs: 120_000 }).finally(() => {
      moveEnded = true;
    });
    const moverWaits = () => waitsFor(handle.db, moverBackend, oldAppBackend);
    while (!moveEnded && !(await moverWaits())) await new Promise((r) => setTimeout(r, 20));
    const endedFirst = moveEnded;
    oldTransaction.commit();
    await oldTransaction.done;
    return { result: await moving, endedFirst };
  }

  it('an old-app delete that commits while a batch copies its message leaves no copy behind', async () => {
    const victim = await anyRow(
      sql`select cm.id::text as id from chat_messages cm join chat_sessions cs on cs.id = cm.session_id
          join moves mv on mv.id = cs.move_id order by cm.id limit 1`,
    );
    // The sync's trigger finds no copy to delete and leaves its tombstone; the mover still sees the
    // legacy row, and its batch waits on the tombstone.
    const { result, endedFirst } = await moveWhileTheOldAppWrites(
      sql`delete from chat_messages where id = ${victim}::uuid`,
    );
    expect(endedFirst).toBe(false);
    expect(await count(handle.db, `messages where id = '${victim}'`)).toBe(0);
    expect(await count(handle.db, 'chat_messages')).toBe(result.legacy.messages);
    expect(await failing()).toEqual([]);
  });

  it("an old-app edit of an orphan's message that commits while its batch archives it is in the archive", async () => {
    const edited = await anyRow(
      sql`select cm.id::text as id from chat_messages cm join chat_sessions cs on cs.id = cm.session_id
          where cs.move_id is null order by cm.id limit 1`,
    );
    expect(edited).not.toBe('');
    // The sync's trigger finds no archive row to update yet; the orphans batch waits on the edit.
    const { endedFirst } = await moveWhileTheOldAppWrites(
      sql`update chat_messages set content = 'edited while archived' where id = ${edited}::uuid`,
    );
    expect(endedFirst).toBe(false);
    expect(
      await count(
        handle.db,
        `chat_session_archive a, jsonb_array_elements(a.messages) e
         where e->>'id' = '${edited}' and e->>'content' = 'edited while archived'`,
      ),
    ).toBe(1);
    expect(await failing()).toEqual([]);
  });

  it('an orphan the old app inserts while a batch archives, and a message into it still open when the batch reads the image: the archive holds the message', async () => {
    const orphanMessage = await anyRow(
      sql`select cm.id::text as id from chat_messages cm join chat_sessions cs on cs.id = cm.session_id
          where cs.move_id is null order by cm.id limit 1`,
    );
    expect(orphanMessage).not.toBe('');
    const mover = await connection();
    const moverBackend = await backendPid(mover.db);
    let moveEnded = false;
    const untilTheMoverWaitsForOrEnds = async (holder: number) => {
      while (!moveEnded && !(await waitsFor(handle.db, moverBackend, holder)))
        await new Promise((r) => setTimeout(r, 20));
      return !moveEnded;
    };
    // An edit of an existing orphan's message holds the orphans batch at its lock of their messages,
    // after it locked its sessions.
    const editor = await connection();
    const editorBackend = await backendPid(editor.db);
    const edit = await heldOpen(editor.db, (tx) =>
      tx.execute(sql`update chat_messages set content = 'held' where id = ${orphanMessage}::uuid`),
    );
    const moving = moveLegacyChats(mover.db, { lockTimeoutMs: 120_000 }).finally(() => {
      moveEnded = true;
    });
    expect(await untilTheMoverWaitsForOrEnds(editorBackend)).toBe(true);
    // It waits in the orphans batch, at its lock of the orphans' messages (after its lock of the sessions).
    expect(
      await count(
        handle.db,
        `pg_stat_activity where pid = ${moverBackend} and query like '%for share of cm%'`,
      ),
    ).toBe(1);
    // Meanwhile a new orphan commits (the sync archives it, with no messages: the policy is recorded) and
    // a message is written into it (the sync adds it to that archive row), not yet committed.
    const orphan = await insertSession(handle.db, { moveId: null, title: 'born while archiving' });
    expect(await count(handle.db, `chat_session_archive where session_id = '${orphan}'`)).toBe(1);
    const writer = await connection();
    const writerBackend = await backendPid(writer.db);
    const message = await heldOpen(writer.db, (tx) =>
      insertMessage(tx, orphan, { content: 'open while the image is read' }),
    );
    edit.commit();
    await edit.done;
    // The batch goes on (its image no longer waits on the edit); if it waits on the message, it waits
    // at the archive row the message's sync wrote.
    await untilTheMoverWaitsForOrEnds(writerBackend);
    message.commit();
    await message.done;
    await moving;
    expect(
      await count(
        handle.db,
        `chat_session_archive a, jsonb_array_elements(a.messages) e
         where a.session_id = '${orphan}' and e->>'content' = 'open while the image is read'`,
      ),
    ).toBe(1);
    expect(await failing()).toEqual([]);
  });

  it('under faults: a writer transaction that rolls back leaves neither side changed', async () => {
    await moveLegacyChats(handle.db);
    const moved = await movedConversation();
    const before = await queryRows(
      handle.db,
      sql`select
      (select count(*) from chat_messages)::int as legacy, (select count(*) from messages)::int as new,
      (select count(*) from legacy_chat_moved_messages)::int as ledger`,
    );
    const rolledBack = new Error('the app gave up');
    await expect(
      handle.db.transaction(async (tx) => {
        await tx.execute(
          sql`insert into chat_messages (session_id, role, content) values (${moved}::uuid, 'user', 'old app')`,
        );
        await tx.execute(
          sql`insert into messages (conversation_id, content) values (${moved}::uuid, 'new app')`,
        );
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(
      await queryRows(
        handle.db,
        sql`select
      (select count(*) from chat_messages)::int as legacy, (select count(*) from messages)::int as new,
      (select count(*) from legacy_chat_moved_messages)::int as ledger`,
      ),
    ).toEqual(before);
    expect(await failing()).toEqual([]);
  });
});

describe.skipIf(!hasServer)(`breaking equality ${serverOnlyReason}`, () => {
  const dropRefused = async () => {
    expect((await rejection(migrateDatabase(handle.db))).message).toMatch(
      /^Refusing to drop chat_sessions and chat_messages: the legacy and new tables are not equal under the mapping/,
    );
    expect(await tablesIn(handle.db)).toContain('chat_messages');
  };

  it('a trigger disabled by the owner and a row edited: chats:validate names it, chats:status says broken, the drop refuses', async () => {
    await moveLegacyChats(handle.db);
    const message = { id: await movedMessage() };
    await handle.db.execute(sql`alter table chat_messages disable trigger legacy_chat_sync_forward`);
    await handle.db.execute(
      sql`update chat_messages set content = 'edited behind the sync' where id = ${message?.id}::uuid`,
    );
    expect((await readCutoverStatus(handle.db)).sync).toBe('broken');
    expect(await failing()).toEqual([
      ['every moved message equals its legacy message under the mapping', [message?.id]],
    ]);
    await dropRefused();
    await expect(goLive(handle.db)).rejects.toThrow('chats:cutover refused: the sync is broken');
    // The way back: the trigger on again, chats:migrate (before go-live it copies the legacy image).
    await handle.db.execute(sql`alter table chat_messages enable trigger legacy_chat_sync_forward`);
    await moveLegacyChats(handle.db);
    expect(await failing()).toEqual([]);
  });

  it('a row changed with session_replication_role = replica is caught, and so is a message whose session is missing', async () => {
    await moveLegacyChats(handle.db);
    const session = await movedConversation();
    const ghostSession = randomUUID();
    const ghost = randomUUID();
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update chat_sessions set title = 'replica edit' where id = ${session}::uuid`);
      await tx.execute(sql`insert into chat_messages (id, session_id, role, content)
        values (${ghost}::uuid, ${ghostSession}::uuid, 'user', 'no session')`);
    });
    expect(await failing()).toEqual([
      ['every moved session equals its conversation under the mapping', [session]],
      ['every legacy message has its legacy session', [ghost]],
    ]);
    const plan = await planLegacyMove(handle.db);
    expect(plan.messages.withoutSession).toEqual([ghost]);
    const moved = await moveLegacyChats(handle.db);
    expect(moved.notMoved.messages).toContainEqual({
      id: ghost,
      sessionId: ghostSession,
      reason:
        'not moved: its session does not exist (written with the foreign key bypassed); restore the session or delete the message',
    });
    await dropRefused();
    // What the refusal says to do works: the message goes (or its session comes back), then the drop applies.
    await handle.db.execute(sql`delete from chat_messages where id = ${ghost}::uuid`);
    expect(await failing()).toEqual([]);
    await migrateDatabase(handle.db);
    expect(await tablesIn(handle.db)).not.toContain('chat_messages');
  });
});

describe.skipIf(!hasServer)(
  `the drop's guard: the full check before its lock, what changed since under it ${serverOnlyReason}`,
  () => {
    /** The drop, started on its own connection, with `write` open and uncommitted on another until the guard waits for its lock. */
    async function dropWhileWriting(
      write: (tx: Parameters<Parameters<DatabaseHandle['db']['transaction']>[0]>[0]) => Promise<unknown>,
    ) {
      const writer = await connection();
      const dropper = await connection();
      let written!: () => void;
      let release!: () => void;
      const wrote = new Promise<void>((resolve) => {
        written = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const writing = writer.db.transaction(async (tx) => {
        await write(tx);
        written();
        await released;
      });
      await wrote;
      let settled = false;
      // Each attempt waits for the lock as long as the migrator allows (the default 500 ms would let a
      // slow poll miss the wait and the run give up): the write is released only once it is seen.
      const patient = { lockTimeoutMs: maxLockTimeoutMs, attempts: 1000, backoffMs: 1 };
      const dropping = rejection(migrateDatabase(dropper.db, { lockRetries: patient })).finally(() => {
        settled = true;
      });
      // The guard's full check does not see the open write and does not wait for it; its LOCK does.
      // No deadline: polls until the guard waits (or the drop has ended, which the caller's checks fail).
      const guardWaits = async () =>
        (
          await queryRows<{ n: number }>(
            handle.db,
            sql`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like '%legacy_chat_differences%'`,
          )
        )[0]?.n === 1;
      while (!settled && !(await guardWaits())) await new Promise((r) => setTimeout(r, 50));
      release();
      await writing;
      return dropping;
    }

    /** The drop while a title edit that skips the sync (session_replication_role = replica) is open: refused, nothing dropped. */
    async function expectDropRefusesUnsyncedTitleEdit(session: string, title: string) {
      const refused = await dropWhileWriting(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(sql`update chat_sessions set title = ${title} where id = ${session}::uuid`);
      });
      expect(refused.message).toMatch(/not equal under the mapping \(1 session-different\)/);
      expect(await tablesIn(handle.db)).toContain('chat_messages');
    }

    it('a change that lands between the unlocked check and the lock (session_replication_role = replica) is found in the log and refused', async () => {
      await moveLegacyChats(handle.db);
      const session = await movedConversation();
      await expectDropRefusesUnsyncedTitleEdit(session, 'edited while the guard checks');
    });

    it('a log trigger disabled and re-enabled around an edit in that window: the guard sees the trigger changed and checks everything again', async () => {
      await moveLegacyChats(handle.db);
      const message = { id: await movedMessage() };
      const refused = await dropWhileWriting(async (tx) => {
        for (const trigger of ['legacy_chat_sync_forward', 'legacy_chat_guard_log_update'])
          await tx.execute(sql.raw(`alter table chat_messages disable trigger ${trigger}`));
        await tx.execute(
          sql`update chat_messages set content = 'edited unlogged' where id = ${message?.id}::uuid`,
        );
        await tx.execute(sql`alter table chat_messages enable trigger legacy_chat_sync_forward`);
        await tx.execute(sql`alter table chat_messages enable always trigger legacy_chat_guard_log_update`);
      });
      expect(refused.message).toMatch(/not equal under the mapping \(1 message-different\)/);
    });

    const logRows = () => count(handle.db, 'conversations_cutover.legacy_chat_guard_log');

    it("pruning: the move leaves the guard's log empty, chats:validate empties it of what came since, and a change after a prune is still found in the window and refused", async () => {
      await moveLegacyChats(handle.db);
      // The move wrote two rows per message it moved; it prunes them when it ends.
      expect(await logRows()).toBe(0);
      const session = await movedConversation();
      await insertMessage(handle.db, session);
      expect(await logRows()).toBeGreaterThan(0);
      await validateLegacyMove(handle.db);
      expect(await logRows()).toBe(0);
      await expectDropRefusesUnsyncedTitleEdit(session, 'edited after the prune');
    });

    it("a prune keeps what a running guard or an open write still needs: nothing while a guard holds the log, an uncommitted write's rows always", async () => {
      await moveLegacyChats(handle.db);
      const session = await movedConversation();
      await insertMessage(handle.db, session);
      const logged = await logRows();
      expect(logged).toBeGreaterThan(0);
      const guard = await connection();
      await guard.db.transaction(async (tx) => {
        await tx.execute(sql`select conversations_cutover.legacy_chat_guard_log_hold()`);
        expect(await pruneGuardLog(handle.db)).toBe(false);
        expect(await logRows()).toBe(logged);
      });
      const writer = await connection();
      await writer.db.transaction(async (tx) => {
        await insertMessage(tx, session);
        expect(await pruneGuardLog(handle.db)).toBe(true);
      });
      // Only the committed rows went: the write that was still open is logged, for a guard that starts now.
      expect(await logRows()).toBeGreaterThan(0);
      expect(await logRows()).toBeLessThan(logged * 2);
      expect(await pruneGuardLog(handle.db)).toBe(true);
      expect(await logRows()).toBe(0);
    });

    it('the log names what changed after a snapshot, and the check over those keys finds exactly what the full check finds', async () => {
      await moveLegacyChats(handle.db);
      const session = await movedConversation();
      const [message] = await queryRows<{ id: string }>(
        handle.db,
        sql`select id::text as id from messages where conversation_id <> ${session}::uuid order by id limit 1`,
      );
      const [{ since } = { since: '' }] = await queryRows<{ since: string }>(
        handle.db,
        sql`select pg_current_snapshot()::text as since`,
      );
      await handle.db.transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(sql`update chat_sessions set title = 'replica edit' where id = ${session}::uuid`);
        await tx.execute(sql`update messages set content = 'replica edit' where id = ${message?.id}::uuid`);
      });
      const [changed] = await queryRows<{ complete: boolean; sessions: string[]; messages: string[] }>(
        handle.db,
        sql`select complete, sessions::text[] as sessions, messages::text[] as messages
          from conversations_cutover.legacy_chat_guard_log_since(${since}::pg_snapshot)`,
      );
      expect(changed).toEqual({ complete: true, sessions: [session], messages: [message?.id] });
      const among = (sessions: string[], messageIds: string[]) =>
        queryRows<{ subject: string; id: string; problem: string }>(
          handle.db,
          sql`select subject, id::text as id, problem from conversations_cutover.legacy_chat_differences_among(
              false, ${`{${sessions.join(',')}}`}::uuid[], ${`{${messageIds.join(',')}}`}::uuid[]) order by subject`,
        );
      const full = await queryRows(
        handle.db,
        sql`select subject, id::text as id, problem from conversations_cutover.legacy_chat_differences(false) order by subject`,
      );
      expect(full).toEqual([
        { subject: 'message', id: message?.id, problem: 'message-different' },
        { subject: 'session', id: session, problem: 'session-different' },
      ]);
      expect(await among(changed?.sessions ?? [], changed?.messages ?? [])).toEqual(full);
      expect(await among([], [])).toEqual([]);
      // The log vouches for itself only while each of its triggers is there and ENABLE ALWAYS.
      const state = async () =>
        (
          await queryRows<{ state: string | null }>(
            handle.db,
            sql`select conversations_cutover.legacy_chat_guard_log_state() as state`,
          )
        )[0]?.state;
      expect(await state()).toMatch(/^\d+:\d+:\d+:\d+(,\d+:\d+:\d+:\d+){27}$/);
      await handle.db.execute(sql`alter table messages enable trigger legacy_chat_guard_log_insert`);
      expect(await state()).toBeNull();
      // A TRUNCATE is logged as everything.
      await handle.db.execute(sql`truncate chat_session_archive`);
      const [after] = await queryRows<{ complete: boolean }>(
        handle.db,
        sql`select complete from conversations_cutover.legacy_chat_guard_log_since(${since}::pg_snapshot)`,
      );
      expect(after?.complete).toBe(false);
    });
  },
);

describe.skipIf(!hasServer)(`the no-ping-pong marker ${serverOnlyReason}`, () => {
  it('setting conversations_db.syncing by hand does not bypass the sync: not as the app role, not as the owner', async () => {
    await moveLegacyChats(handle.db);
    const moved = await movedConversation();
    await handle.db.execute(sql`insert into users (id, email) values ('alice', 'alice@example.com')`);
    await handle.db.execute(sql`insert into conversation_participants (conversation_id, user_id, participant_type, role)
      values (${moved}::uuid, 'alice', 'employee', 'participant')`);
    const fromApp = await withUser(handle.db, 'alice', async (tx) => {
      await tx.execute(sql`select set_config('conversations_db.syncing', 'on', true)`);
      return tx
        .insert(messages)
        .values({
          conversationId: moved,
          authorId: 'alice',
          authorType: 'user',
          content: 'marker set by the app',
        })
        .returning({ id: messages.id });
    });
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('conversations_db.syncing', 'on', true)`);
      await tx.execute(
        sql`update chat_sessions set title = 'marker set by the owner' where id = ${moved}::uuid`,
      );
    });
    expect(
      await queryRows(handle.db, sql`select content from chat_messages where id = ${fromApp[0]?.id}::uuid`),
    ).toEqual([{ content: 'marker set by the app' }]);
    expect(
      await queryRows(handle.db, sql`select title from conversations where id = ${moved}::uuid`),
    ).toEqual([{ title: 'marker set by the owner' }]);
    expect(await failing()).toEqual([]);
    // The app role may not set the real marker.
    expect(
      (
        await rejection(
          withUser(handle.db, 'alice', (tx) =>
            tx.execute(sql`select conversations_cutover.legacy_chat_sync_mark()`),
          ),
        )
      ).message,
    ).toContain('permission denied');
  });

  it('a database at the earlier expand step (no marker yet) is refused by chats:migrate, naming the step', async () => {
    // Back to before the migration that brought the marker (later ones now close the expand step).
    const tags = readMigrations().map((m) => m.tag);
    const marker = tags.findIndex((tag) => tag.endsWith('_legacy_chat_sync_guarded'));
    expect(marker).toBeGreaterThan(0);
    await rollbackDatabase(handle.db, { to: tags[marker - 1] ?? '' });
    await expect(moveLegacyChats(handle.db)).rejects.toThrow(
      `chats:migrate refused: this database is at an earlier expand step (the sync's marker, conversations_cutover.legacy_chat_sync_mark(), is missing). Run \`npm run db:migrate -- --to ${expandStepTag()}\` first.`,
    );
    expect(await count(handle.db, 'conversations')).toBe(0);
  });

  it('rolled back to before the statement-level sync: 0015’s per-row sync is back, and chats:status says on', async () => {
    const tags = readMigrations().map((m) => m.tag);
    const statementLevel = tags.findIndex((tag) => tag.endsWith('_legacy_chat_sync_statement_level'));
    expect(statementLevel).toBeGreaterThan(0);
    const perRow = async () =>
      (
        await queryRows<{ perRow: boolean }>(
          handle.db,
          sql`select (t.tgtype::int & 1) = 1 as "perRow" from pg_trigger t
              where t.tgrelid = 'public.messages'::regclass and t.tgname = 'legacy_chat_sync_reverse'`,
        )
      ).map((r) => r.perRow);
    expect(await perRow()).toEqual([false]);
    await rollbackDatabase(handle.db, { to: tags[statementLevel - 1] ?? '' });
    expect(await perRow()).toEqual([true]);
    expect((await readCutoverStatus(handle.db)).sync).toBe('on');
    // And a per-row sync missing a trigger is still broken.
    await handle.db.execute(sql`alter table messages disable trigger legacy_chat_sync_reverse`);
    expect((await readCutoverStatus(handle.db)).sync).toBe('broken');
    await handle.db.execute(sql`alter table messages enable trigger legacy_chat_sync_reverse`);
    await migrateDatabase(handle.db, { to: expandStepTag() });
    expect(await perRow()).toEqual([false]);
    expect((await readCutoverStatus(handle.db)).sync).toBe('on');
  });

  it('a last_message_at bump does not call the reverse sync; a change of what the legacy shape holds does', async () => {
    await moveLegacyChats(handle.db);
    const moved = await movedConversation();
    const calls = await handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local track_functions = 'pl'`);
      const count = async () =>
        (
          await queryRows<{ n: number }>(
            tx,
            sql`select pg_stat_get_xact_function_calls('conversations_cutover.legacy_chat_sync_reverse_conversation()'::regprocedure)::int as n`,
          )
        )[0]?.n ?? 0;
      await tx.execute(sql`insert into messages (conversation_id, author_type, content, created_at)
        values (${moved}::uuid, 'user', 'bumps last_message_at', now() + interval '1 day')`);
      const afterBump = await count();
      await tx.execute(sql`update conversations set status = 'closed' where id = ${moved}::uuid`);
      const afterStatus = await count();
      await tx.execute(sql`update conversations set title = 'retitled' where id = ${moved}::uuid`);
      return { afterBump, afterStatus, afterTitle: await count() };
    });
    // The status edit stamps updated_at (0002), which the legacy shape holds: one call, as for the title.
    expect(calls).toEqual({ afterBump: 0, afterStatus: 1, afterTitle: 2 });
    expect(await failing()).toEqual([]);
  });
});

describe.skipIf(!hasServer)(`go-live and falling back ${serverOnlyReason}`, () => {
  it('after go-live chats:migrate changes nothing the new app wrote, and says so', async () => {
    await moveLegacyChats(handle.db);
    const live = await goLive(handle.db);
    expect(live.already).toBe(false);
    expect((await goLive(handle.db)).liveAt).toEqual(live.liveAt);
    const moved = await movedConversation();
    await handle.db.execute(
      sql`update conversations set title = 'the app''s title', status = 'closed' where id = ${moved}::uuid`,
    );
    // A legacy edit behind the sync's back (the sync off for that transaction): the shapes now differ.
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select conversations_cutover.legacy_chat_sync_mark()`);
      await tx.execute(sql`update chat_sessions set title = 'stale legacy title' where id = ${moved}::uuid`);
    });
    const before = await queryRows(handle.db, sql`select c::text as row from conversations c order by id`);
    const result = await moveLegacyChats(handle.db);
    expect(result.liveAt).toEqual(live.liveAt);
    expect(result.leftAsNewAppWrote).toBe(1);
    expect(result.counts).toMatchObject({
      conversationsUpdated: 0,
      conversationsDeleted: 0,
      messagesUpdated: 0,
    });
    expect(await queryRows(handle.db, sql`select c::text as row from conversations c order by id`)).toEqual(
      before,
    );
    expect(await failing()).toEqual([
      ['every moved session equals its conversation under the mapping', [moved]],
    ]);
    expect((await readCutoverStatus(handle.db)).phase).toBe('live');
  });

  it('falling back: after new-app writes the old app sees everything; chats:rollback and undoing the drop lose none of it', async () => {
    await moveLegacyChats(handle.db);
    await goLive(handle.db);
    const moveId = await aMove();
    const born = randomUUID();
    await handle.db.execute(
      sql`insert into conversations (id, move_id, title) values (${born}::uuid, ${moveId}::uuid, 'after go-live')`,
    );
    for (let i = 0; i < 3; i++) {
      await handle.db.execute(
        sql`insert into messages (conversation_id, content) values (${born}::uuid, ${`reply ${i}`})`,
      );
    }
    const moved = await movedConversation();
    await handle.db.execute(
      sql`update conversations set title = 'renamed after go-live' where id = ${moved}::uuid`,
    );
    // The old app, switched back, reads the legacy tables: every conversation and message is there.
    expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
    expect(await count(handle.db, `chat_messages where session_id = '${born}'`)).toBe(3);
    const legacyBefore = await queryRows(
      handle.db,
      sql`select
      (select md5(string_agg(cs::text, '|' order by id)) from chat_sessions cs) as sessions,
      (select md5(string_agg(cm::text, '|' order by id)) from chat_messages cm) as messages`,
    );

    // The drop, then its undo: the legacy tables come back equal, new-app rows included, the sync on again.
    await migrateDatabase(handle.db);
    expect(await tablesIn(handle.db)).not.toContain('chat_sessions');
    await rollbackDatabase(handle.db, { to: expandStepTag() });
    expect(
      await queryRows(
        handle.db,
        sql`select
      (select md5(string_agg(cs::text, '|' order by id)) from chat_sessions cs) as sessions,
      (select md5(string_agg(cm::text, '|' order by id)) from chat_messages cm) as messages`,
      ),
    ).toEqual(legacyBefore);
    expect((await readCutoverStatus(handle.db)).sync).toBe('on');
    expect(await failing()).toEqual([]);

    // chats:rollback removes only the move's copies: the conversation born in the new app stays, on both sides.
    await rollbackLegacyMove(handle.db);
    expect(await count(handle.db, `conversations where id = '${born}'`)).toBe(1);
    expect(await count(handle.db, `messages where conversation_id = '${born}'`)).toBe(3);
    expect(await count(handle.db, `chat_messages where session_id = '${born}'`)).toBe(3);
    expect(await count(handle.db, 'chat_sessions')).toBeGreaterThan(1);
  });
});

describe.skipIf(!hasServer)(`an old-app and a new-app writer side by side ${serverOnlyReason}`, () => {
  it('through backfill, go-live and retention: the two shapes end equal row for row, both ways, and the drop applies', async () => {
    const oldApp = await connection();
    const newApp = await connection();
    const mover = await connection();
    let seed = 7;
    const pick = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const randomRow = async (db: DatabaseHandle['db'], from: string) =>
      (
        await queryRows<{ id: string }>(
          db,
          sql.raw(`select id::text as id from ${from} order by random() limit 1`),
        )
      )[0]?.id;
    const moveId = await aMove();

    const oldWriter = async (operations: number) => {
      for (let i = 0; i < operations; i++) {
        await retried(async () => {
          const op = pick(5);
          if (op === 0) {
            const s = await insertSession(oldApp.db, {
              moveId: pick(4) === 0 ? null : moveId,
              title: pick(3) === 0 ? null : `old ${i}`,
            });
            await insertMessage(oldApp.db, s, { content: `first of ${i}` });
          } else if (op === 1) {
            const s = await randomRow(oldApp.db, 'chat_sessions');
            if (s) await insertMessage(oldApp.db, s, { content: pick(5) === 0 ? null : `old app ${i}` });
          } else if (op === 2) {
            const m = await randomRow(oldApp.db, 'chat_messages');
            if (m)
              await oldApp.db.execute(
                sql`update chat_messages set content = ${`edited ${i}`} where id = ${m}::uuid`,
              );
          } else if (op === 3) {
            const s = await randomRow(oldApp.db, 'chat_sessions');
            if (s)
              await oldApp.db.execute(
                sql`update chat_sessions set title = ${pick(2) === 0 ? null : `t ${i}`} where id = ${s}::uuid`,
              );
          } else {
            const m = await randomRow(oldApp.db, 'chat_messages');
            if (m) await oldApp.db.execute(sql`delete from chat_messages where id = ${m}::uuid`);
          }
        });
      }
    };
    const newWriter = async (operations: number) => {
      for (let i = 0; i < operations; i++) {
        await retried(async () => {
          const op = pick(4);
          if (op === 0) {
            await newApp.db.transaction(async (tx) => {
              const [c] = await queryRows<{ id: string }>(
                tx,
                sql`insert into conversations (move_id, title, type) values (${moveId}::uuid, ${`new ${i}`}, 'moving') returning id::text`,
              );
              await tx.execute(
                sql`insert into messages (conversation_id, content) values (${c?.id}::uuid, 'hello')`,
              );
            });
          } else if (op === 1) {
            const c = await randomRow(newApp.db, 'conversations');
            if (c)
              await newApp.db.execute(
                sql`insert into messages (conversation_id, author_type, content) values (${c}::uuid, 'ai', ${`new app ${i}`})`,
              );
          } else if (op === 2) {
            const c = await randomRow(newApp.db, 'conversations');
            if (c)
              await newApp.db.execute(
                sql`update conversations set title = ${`renamed ${i}`}, status = 'closed' where id = ${c}::uuid`,
              );
          } else {
            const m = await randomRow(newApp.db, 'messages');
            if (m) await newApp.db.execute(sql`delete from messages where id = ${m}::uuid`);
          }
        });
      }
    };

    // Backfill while both apps write.
    await Promise.all([moveLegacyChats(mover.db, { batchSize: 20 }), oldWriter(60), newWriter(40)]);
    expect(await failing()).toEqual([]);
    // Go-live, then the retention period: both apps keep writing (old instances not yet switched).
    await goLive(handle.db);
    await Promise.all([oldWriter(40), newWriter(40), moveLegacyChats(mover.db, { batchSize: 20 })]);
    expect(await failing()).toEqual([]);
    expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
    expect(
      await count(
        handle.db,
        'conversations c where not exists (select 1 from chat_sessions s where s.id = c.id)',
      ),
    ).toBe(0);
    expect(
      await count(handle.db, 'messages m where not exists (select 1 from chat_messages s where s.id = m.id)'),
    ).toBe(0);
    // The drop applies.
    await migrateDatabase(handle.db);
    expect(await tablesIn(handle.db)).not.toContain('chat_sessions');
    expect((await readCutoverStatus(handle.db)).phase).toBe('dropped');
  });
});
