import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import {
  moveLegacyChats,
  rollbackLegacyMove,
  validateLegacyMove,
} from '../src/operator/legacy-move/index.js';
import {
  checksums,
  count,
  expandedDatabase,
  insertMessage,
  insertMove,
  insertSession,
  movedTables,
} from './support/legacy-rows.js';
import type { TestDatabase } from './support/test-database.js';

// The move while the old app keeps writing: re-runs converge on the legacy image, never touch what
// the new app wrote, validation names what differs, and rollback removes only the move's rows.

let database: TestDatabase;
let handle: DatabaseHandle;
let moveId: string;
let sessions: string[];
let messages: string[];

beforeEach(async () => {
  ({ database, handle } = await expandedDatabase('move_converge'));
  ({ moveId } = await insertMove(handle.db, 'owner@example.com'));
  sessions = [];
  messages = [];
  for (let s = 0; s < 6; s++) {
    const id = await insertSession(handle.db, { moveId, title: `chat ${s}` });
    sessions.push(id);
    for (let m = 0; m < 4; m++) messages.push(await insertMessage(handle.db, id, { content: `m${s}.${m}` }));
  }
  await insertSession(handle.db, { moveId: null });
  await moveLegacyChats(handle.db, { batchSize: 5 });
});

afterEach(async () => {
  await handle?.close();
  await database?.drop();
});

const failures = async () =>
  (await validateLegacyMove(handle.db)).checks.filter((c) => !c.ok).map((c) => [c.check, c.failingIds]);

describe('convergence', () => {
  it('a re-run runs only the sessions batch holding the edited session, and converges', async () => {
    const phases: string[] = [];
    const onBatch = ({ phase }: { phase: string }) => {
      phases.push(phase);
    };
    await moveLegacyChats(handle.db, { batchSize: 5, onBatch });
    expect(phases.filter((p) => p !== 'orphans')).toEqual([]);
    phases.length = 0;
    await handle.db.execute(sql`update chat_sessions set title = 'renamed' where id = ${sessions[5]}::uuid`);
    const result = await moveLegacyChats(handle.db, { batchSize: 5, onBatch });
    expect(phases.filter((p) => p !== 'orphans')).toEqual(['sessions']);
    expect(result.counts).toMatchObject({
      conversationsUpdated: 1,
      conversationsInserted: 0,
      messagesUpdated: 0,
    });
    expect(await failures()).toEqual([]);
  });

  it('after adding, deleting and editing legacy rows, a re-run makes validate pass again', async () => {
    const [s0, s1, s2] = sessions as [string, string, string];
    const added = await insertSession(handle.db, { moveId, title: 'new one' });
    await insertMessage(handle.db, added);
    await insertMessage(handle.db, s0, { content: 'added later' });
    await handle.db.execute(sql`delete from chat_messages where id = ${messages[4]}::uuid`);
    await handle.db.execute(sql`delete from chat_messages where session_id = ${s2}::uuid`);
    await handle.db.execute(sql`delete from chat_sessions where id = ${s2}::uuid`);
    // An edit that keeps updated_at: the conversations trigger must not stamp now() over the copy.
    await handle.db.execute(sql`update chat_sessions set title = null where id = ${s1}::uuid`);
    await handle.db.execute(
      sql`update chat_messages set content = 'edited', metadata = '{"k": [1]}' where id = ${messages[0]}::uuid`,
    );
    expect((await failures()).length).toBeGreaterThan(0);

    const result = await moveLegacyChats(handle.db, { batchSize: 5 });
    expect(result.counts).toMatchObject({
      conversationsInserted: 1,
      conversationsUpdated: 1,
      conversationsDeleted: 1,
      messagesInserted: 2,
      messagesUpdated: 1,
      messagesDeleted: 1,
    });
    expect(await failures()).toEqual([]);
    expect(await count(handle.db, `conversations where id = '${s2}'`)).toBe(0);
    const [edited] = await queryRows(
      handle.db,
      sql`select c.title, l.title_was_null from conversations c join legacy_chat_moved_sessions l on l.session_id = c.id
          where c.id = ${s1}::uuid`,
    );
    expect(edited).toEqual({ title: 'New Conversation', title_was_null: true });
  });

  it('never deletes what the new app wrote: its messages, and a conversation holding them', async () => {
    const [s0, s1] = sessions as [string, string];
    const [appConversation] = await queryRows<{ id: string }>(
      handle.db,
      sql`insert into conversations (move_id, title) values (${moveId}::uuid, 'app') returning id::text`,
    );
    await handle.db.execute(
      sql`insert into messages (conversation_id, content) values (${s0}::uuid, 'from the new app')`,
    );
    await handle.db.execute(
      sql`insert into messages (conversation_id, content) values (${s1}::uuid, 'also the app')`,
    );
    await handle.db.execute(sql`delete from chat_messages where session_id in (${s0}::uuid, ${s1}::uuid)`);
    await handle.db.execute(sql`delete from chat_sessions where id = ${s1}::uuid`);

    const result = await moveLegacyChats(handle.db, { batchSize: 5 });
    expect(result.conversationsKept).toEqual([s1]);
    expect(await count(handle.db, `conversations where id = '${appConversation?.id}'`)).toBe(1);
    expect(
      await queryRows(
        handle.db,
        sql`select content from messages where content like '%app' order by content`,
      ),
    ).toEqual([{ content: 'also the app' }, { content: 'from the new app' }]);
    expect(await count(handle.db, `messages where conversation_id = '${s0}'`)).toBe(1);
    // The kept conversation outlives its legacy session, and the app's conversation and messages (written
    // with the sync off) have no legacy row: validation says so, both ways.
    const appMessages = await queryRows<{ id: string }>(
      handle.db,
      sql`select id::text from messages where content like '%app' order by id`,
    );
    expect(await failures()).toEqual([
      ['no conversation or archive row outlives its legacy session', [s1, appConversation?.id ?? ''].sort()],
      ['no message outlives its legacy message', appMessages.map((m) => m.id)],
    ]);
  });

  it('the owner follows the inference when the user appears later', async () => {
    const { moveId: later } = await insertMove(handle.db, 'late.owner@example.com', []);
    const s = await insertSession(handle.db, { moveId: later });
    await moveLegacyChats(handle.db);
    expect(await count(handle.db, `conversation_participants where conversation_id = '${s}'`)).toBe(1);
    await handle.db.execute(sql`insert into users (id, email) values ('u_late', 'LATE.owner@example.com')`);
    expect(await failures()).toEqual([
      ['employee owners match the inference (moves -> employees -> users by email)', [s]],
    ]);
    const result = await moveLegacyChats(handle.db);
    expect(result.counts.ownersInserted).toBe(1);
    expect(await failures()).toEqual([]);
  });
});

describe('validate', () => {
  it('fails naming the row when a moved conversation or message is altered', async () => {
    const [s0] = sessions as [string];
    await handle.db.execute(sql`update conversations set title = 'tampered' where id = ${s0}::uuid`);
    await handle.db.execute(sql`update messages set content = 'tampered' where id = ${messages[5]}::uuid`);
    await handle.db.execute(
      sql`delete from conversation_participants where conversation_id = ${sessions[3]}::uuid and participant_type = 'ai'`,
    );
    const result = await validateLegacyMove(handle.db);
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c) => !c.ok).map((c) => [c.check, c.failingIds])).toEqual([
      ['every moved session equals its conversation under the mapping', [s0]],
      ['every moved message equals its legacy message under the mapping', [messages[5]]],
      ['every moved conversation has exactly one AI participant', [sessions[3]]],
    ]);
  });
});

describe('rollback', () => {
  it('removes what the move created and leaves the legacy tables as they were', async () => {
    const before = await checksums(handle.db);
    const result = await rollbackLegacyMove(handle.db, { batchSize: 4 });
    expect(result).toMatchObject({
      conversationsDeleted: 6,
      messagesDeleted: 24,
      archiveDeleted: 1,
      archiveKept: [],
    });
    const after = await checksums(handle.db);
    expect({ sessions: after.chat_sessions, messages: after.chat_messages }).toEqual({
      sessions: before.chat_sessions,
      messages: before.chat_messages,
    });
    // What the move created is gone; the cutover's state (the orphan policy it recorded) stays.
    for (const table of movedTables.filter((t) => t !== 'legacy_chat_cutover')) {
      expect({ table, rows: await count(handle.db, table) }).toEqual({ table, rows: 0 });
    }
    // And the move can run again from scratch.
    await moveLegacyChats(handle.db);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });

  it('refuses while moved conversations hold what the new app wrote, and removes nothing', async () => {
    await handle.db.execute(
      sql`insert into messages (conversation_id, content) values (${sessions[0]}::uuid, 'app')`,
    );
    await expect(rollbackLegacyMove(handle.db)).rejects.toThrow(
      `chats:rollback refused: 1 moved conversations hold messages or participants the new app wrote, which a rollback would delete (${sessions[0]})`,
    );
    expect(await count(handle.db, 'legacy_chat_moved_sessions')).toBe(6);
  });

  it('refuses once the legacy tables are gone', async () => {
    await migrateDatabase(handle.db);
    expect(await count(handle.db, 'conversations')).toBe(6);
    await expect(rollbackLegacyMove(handle.db)).rejects.toThrow(
      'chats:rollback refused: the legacy tables chat_sessions and chat_messages are gone (the drop has run)',
    );
    await expect(moveLegacyChats(handle.db)).rejects.toThrow('chats:migrate refused: the legacy tables');
  });
});
