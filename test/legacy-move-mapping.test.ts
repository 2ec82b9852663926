import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { moveLegacyChats, planLegacyMove, validateLegacyMove } from '../src/operator/legacy-move/index.js';
import {
  checksums,
  count,
  expandedDatabase,
  insertMessage,
  insertMove,
  insertSession,
} from './support/legacy-rows.js';
import type { TestDatabase } from './support/test-database.js';

// Seed 000 Step 3's mapping, field by field. Each describe starts from its own database at the expand
// step (a copy of the run's template), so no describe depends on the rows another one left.

let handle: DatabaseHandle;

function onOwnDatabase(label: string): void {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    ({ database, handle } = await expandedDatabase(`move_mapping_${label}`));
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });
}

const rowVersions = async (table: string) =>
  (
    await queryRows<{ v: string }>(
      handle.db,
      sql`select coalesce(string_agg(xmin::text, ',' order by id), '') as v from ${sql.identifier(table)}`,
    )
  )[0]?.v;

describe('on an empty database', () => {
  onOwnDatabase('empty');

  it('plan, move and validate find nothing to do and pass', async () => {
    const plan = await planLegacyMove(handle.db);
    expect(plan.sessions).toMatchObject({ total: 0, toCreate: 0, orphans: 0 });
    const result = await moveLegacyChats(handle.db);
    expect(result.moved).toEqual({ conversations: 0, messages: 0, archivedSessions: 0 });
    expect(result.notMoved).toEqual({ sessions: [], messages: [] });
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });
});

describe('sessions and messages with a move', () => {
  onOwnDatabase('fields');

  let moveId: string;
  let userId: string | undefined;
  let sessionId: string;
  const messageIds: Record<string, string> = {};
  const metadata = {
    isEmail: true,
    emailFrom: 'a@b.example',
    emailTo: ['c@d.example', 'e@f.example'],
    emailSubject: 'Lease',
    mentioned: ['u_1'],
    custom: { nested: { deep: [1, 'two', { three: null }] } },
    'weird key': 'kept',
  };

  beforeAll(async () => {
    ({ moveId, userId } = await insertMove(handle.db, 'owner.exact@example.com'));
    sessionId = await insertSession(handle.db, {
      moveId,
      title: 'Apartment hunt',
      createdAt: '2025-01-31 23:59:59.999999',
      updatedAt: '2025-02-01 00:00:00.5',
      agentMailInboxId: 'inbox_1',
      agentMailEmailAddress: 'move@inbox.example',
    });
    messageIds.user = await insertMessage(handle.db, sessionId, { role: 'user', metadata });
    messageIds.assistant = await insertMessage(handle.db, sessionId, {
      role: 'assistant',
      content: 'Here you go',
      toolCalls: [{ name: 'search', arguments: { q: 'flat' } }],
      reasoning: 'because',
      model: 'gpt-4o',
      metadata: ['not', 'an', 'object'],
      createdAt: '2025-01-31 23:00:00',
    });
    messageIds.system = await insertMessage(handle.db, sessionId, {
      role: 'system',
      content: 'You help movers.',
    });
    messageIds.nullContent = await insertMessage(handle.db, sessionId, { content: null });
    messageIds.blank = await insertMessage(handle.db, sessionId, { content: '  ' });
    // The move must not depend on the session's TimeZone: legacy timestamps are UTC.
    await handle.db.execute(sql`set time zone 'America/New_York'`);
    await moveLegacyChats(handle.db, { batchSize: 2 });
    await handle.db.execute(sql`set time zone 'UTC'`);
  });

  it('becomes a conversation with the same id and every field mapped (type general, status active, created_by NULL, UTC)', async () => {
    const rows = await queryRows(
      handle.db,
      sql`select id::text, move_id::text, title, type::text, status::text, created_by, agent_mail_inbox_id,
                 agent_mail_email_address, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as created_at,
                 to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as updated_at
          from conversations where id = ${sessionId}::uuid`,
    );
    expect(rows).toEqual([
      {
        id: sessionId,
        move_id: moveId,
        title: 'Apartment hunt',
        type: 'general',
        status: 'active',
        created_by: null,
        agent_mail_inbox_id: 'inbox_1',
        agent_mail_email_address: 'move@inbox.example',
        created_at: '2025-01-31 23:59:59.999999',
        updated_at: '2025-02-01 00:00:00.500000',
      },
    ]);
  });

  it('moves each message with the same id, role -> author_type, author_id NULL, and the rest exactly', async () => {
    const rows = await queryRows<Record<string, unknown>>(
      handle.db,
      sql`select m.id::text, m.conversation_id::text, m.author_id, m.author_type::text, m.content,
                 m.tool_calls = cm.tool_calls or (m.tool_calls is null and cm.tool_calls is null) as tool_calls_equal,
                 m.metadata = cm.metadata or (m.metadata is null and cm.metadata is null) as metadata_equal,
                 m.reasoning, m.model, m.created_at = (cm.created_at at time zone 'UTC') as created_at_utc
          from messages m join chat_messages cm on cm.id = m.id order by m.id`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(messageIds.user)).toMatchObject({
      author_type: 'user',
      author_id: null,
      content: 'Hello',
    });
    expect(byId.get(messageIds.assistant)).toMatchObject({
      author_type: 'ai',
      content: 'Here you go',
      reasoning: 'because',
      model: 'gpt-4o',
    });
    expect(byId.get(messageIds.system)).toMatchObject({ author_type: 'system' });
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(r).toMatchObject({
        conversation_id: sessionId,
        tool_calls_equal: true,
        metadata_equal: true,
        created_at_utc: true,
      });
    }
  });

  it('keeps metadata with unknown and nested keys equal as jsonb', async () => {
    const [row] = await queryRows<{ metadata: unknown; equal: boolean }>(
      handle.db,
      sql`select metadata, metadata = ${JSON.stringify(metadata)}::jsonb as equal from messages where id = ${messageIds.user}::uuid`,
    );
    expect(row?.equal).toBe(true);
    expect(row?.metadata).toEqual(metadata);
  });

  it("NULL content becomes '' and the ledger remembers it was NULL; blank content is moved as it is", async () => {
    const rows = await queryRows<{ id: string; content: string; content_was_null: boolean }>(
      handle.db,
      sql`select m.id::text, m.content, lm.content_was_null from messages m
          join legacy_chat_moved_messages lm on lm.message_id = m.id
          where m.id in (${messageIds.nullContent}::uuid, ${messageIds.blank}::uuid, ${messageIds.user}::uuid)
          order by m.content desc`,
    );
    expect(new Map(rows.map((r) => [r.id, [r.content, r.content_was_null]]))).toEqual(
      new Map([
        [messageIds.user, ['Hello', false]],
        [messageIds.blank, ['  ', false]],
        [messageIds.nullContent, ['', true]],
      ]),
    );
  });

  it('adds exactly one AI participant and the employee owner', async () => {
    const rows = await queryRows(
      handle.db,
      sql`select user_id, participant_type::text, role::text from conversation_participants
          where conversation_id = ${sessionId}::uuid order by participant_type`,
    );
    expect(rows).toEqual([
      { user_id: null, participant_type: 'ai', role: 'participant' },
      { user_id: userId, participant_type: 'employee', role: 'owner' },
    ]);
  });

  it('a second run writes nothing: same checksums and the same row versions', async () => {
    const before = await checksums(handle.db);
    const versions = [await rowVersions('conversations'), await rowVersions('messages')];
    const again = await moveLegacyChats(handle.db, { batchSize: 2 });
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);
    expect(await checksums(handle.db)).toEqual(before);
    expect([await rowVersions('conversations'), await rowVersions('messages')]).toEqual(versions);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });
});

describe('NULL title', () => {
  onOwnDatabase('null_title');

  it("becomes 'New Conversation' and the ledger remembers it was NULL", async () => {
    const { moveId } = await insertMove(handle.db, 'nulltitle@example.com');
    const id = await insertSession(handle.db, { moveId, title: null });
    await moveLegacyChats(handle.db);
    const [row] = await queryRows(
      handle.db,
      sql`select c.title, l.title_was_null from conversations c join legacy_chat_moved_sessions l on l.session_id = c.id
          where c.id = ${id}::uuid`,
    );
    expect(row).toEqual({ title: 'New Conversation', title_was_null: true });
  });
});

describe('owner inference: moves -> employees -> users by email, trimmed and case-insensitive', () => {
  onOwnDatabase('owners');

  it('inserts the owner for an exact or different-case email; none for no user or two users, and says so', async () => {
    const differentCase = await insertMove(handle.db, 'Casey.Case@example.com', [
      '  casey.case@EXAMPLE.com ',
    ]);
    const noUser = await insertMove(handle.db, 'nobody@example.com', []);
    const twoUsers = await insertMove(handle.db, 'twin@example.com', [
      'twin@example.com',
      'TWIN@example.com',
    ]);
    const sessions = {
      differentCase: await insertSession(handle.db, { moveId: differentCase.moveId }),
      noUser: await insertSession(handle.db, { moveId: noUser.moveId }),
      twoUsers: await insertSession(handle.db, { moveId: twoUsers.moveId }),
    };

    const plan = await planLegacyMove(handle.db);
    expect(plan.owners.missing.map((p) => p.moveId)).toEqual([noUser.moveId]);
    expect(plan.owners.ambiguous).toEqual([
      { moveId: twoUsers.moveId, employeeId: twoUsers.employeeId, matchingUsers: 2, sessions: 1 },
    ]);
    expect(plan.owners.differentCaseOrSpaces).toBe(1);

    await moveLegacyChats(handle.db);
    const owners = async (conversationId: string) =>
      queryRows(
        handle.db,
        sql`select user_id from conversation_participants
            where conversation_id = ${conversationId}::uuid and participant_type = 'employee' and role = 'owner'`,
      );
    expect(await owners(sessions.differentCase)).toEqual([{ user_id: differentCase.userId }]);
    expect(await owners(sessions.noUser)).toEqual([]);
    expect(await owners(sessions.twoUsers)).toEqual([]);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });
});

describe('the dry run', () => {
  onOwnDatabase('dry_run');

  it('writes nothing: every checksum is the same before and after', async () => {
    const { moveId } = await insertMove(handle.db, 'dryrun@example.com');
    const id = await insertSession(handle.db, { moveId, title: null });
    await insertMessage(handle.db, id, { content: null });
    await insertSession(handle.db, { moveId: null });
    const before = await checksums(handle.db);
    const plan = await planLegacyMove(handle.db);
    expect(plan.sessions.toCreate).toBe(1);
    expect(plan.messages.toCreate).toBe(1);
    expect(plan.sessions.orphans).toBe(1);
    expect(plan.legacyValues.find((v) => v.value === 'chat_messages.content is NULL')?.rows).toBe(1);
    expect(await checksums(handle.db)).toEqual(before);
    expect(await count(handle.db, `conversations where id = '${id}'`)).toBe(0);
  });
});
