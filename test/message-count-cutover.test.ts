import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { withUser } from '../src/app/security/with-user.js';
import { postMessage } from '../src/app/writes/post-message.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { moveLegacyChats, rollbackLegacyMove } from '../src/operator/legacy-move/index.js';
import { legacyThenExpanded } from './support/cutover.js';
import { insertMessage } from './support/legacy-rows.js';
import type { TestDatabase } from './support/test-database.js';

// Issue 17: conversations.message_count is the unread count of a participant who never read, so it must
// be exact whoever writes messages: the legacy move's batches (a first run, a re-run, its rollback) and
// the cutover's sync (old-app writes forwarded to messages, new-app posts) all go through the messages
// triggers, with no backfill step of their own. One connection: both database modes.

let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  ({ database, handle } = await legacyThenExpanded('message_count_cutover', {
    sessions: 60,
    messagesPerSession: 6,
    seed: 17,
  }));
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

/** Conversations whose kept count differs from their messages counted one by one, and the totals. */
async function countState() {
  const [row] = await queryRows<{ wrong: number; conversations: number; kept: number; messages: number }>(
    handle.db,
    sql`select count(*) filter (where c.message_count <> n.counted)::int as wrong,
               count(*)::int as conversations,
               coalesce(sum(c.message_count), 0)::int as kept,
               (select count(*)::int from messages) as messages
        from conversations c
        cross join lateral (select count(*)::int as counted from messages m where m.conversation_id = c.id) n`,
  );
  if (!row) throw new Error('no row');
  return row;
}

const oneMovedSession = async () =>
  (
    await queryRows<{ id: string }>(
      handle.db,
      sql`select session_id::text as id from legacy_chat_moved_sessions order by session_id limit 1`,
    )
  )[0]?.id ?? '';

describe('message_count through the legacy move and the cutover sync', () => {
  it('is exact after a move in many small batches, the old app’s writes, a new-app post, a re-run, a rollback and a move again', async () => {
    await moveLegacyChats(handle.db, { batchSize: 7 });
    let state = await countState();
    expect(state.conversations).toBeGreaterThan(0);
    expect(state.messages).toBeGreaterThan(0);
    expect(state).toMatchObject({ wrong: 0, kept: state.messages });

    // The old app writes into a moved session (the sync forwards each write to messages): one message
    // older than the conversation's newest, one newer, and a delete.
    const session = await oneMovedSession();
    await insertMessage(handle.db, session, { createdAt: '2001-01-01 00:00:00' });
    const newer = await insertMessage(handle.db, session, { createdAt: '2031-01-01 00:00:00' });
    await handle.db.execute(sql`delete from chat_messages where id = ${newer}::uuid`);
    const [older] = await queryRows<{ id: string }>(
      handle.db,
      sql`select id::text from chat_messages where session_id = ${session}::uuid
          order by created_at desc, id desc offset 1 limit 1`,
    );
    await handle.db.execute(sql`delete from chat_messages where id = ${older?.id ?? ''}::uuid`);
    state = await countState();
    expect(state).toMatchObject({ wrong: 0, kept: state.messages });

    // The new app posts as a participant (the sync writes it back to chat_messages).
    const [participant] = await queryRows<{ userId: string; conversationId: string }>(
      handle.db,
      sql`select user_id as "userId", conversation_id::text as "conversationId"
          from conversation_participants where user_id is not null order by conversation_id limit 1`,
    );
    if (!participant) throw new Error('the moved data has no user participant');
    await withUser(handle.db, participant.userId, (tx) =>
      postMessage(tx, {
        conversationId: participant.conversationId,
        authorId: participant.userId,
        content: 'new app',
      }),
    );
    expect(await countState()).toMatchObject({ wrong: 0 });
    // Taken out again: the rollback below refuses while moved conversations hold new-app messages.
    await handle.db.execute(
      sql`delete from messages where conversation_id = ${participant.conversationId}::uuid and content = 'new app'`,
    );
    expect(await countState()).toMatchObject({ wrong: 0 });

    // A re-run changes nothing that was right; the rollback empties; a move again counts from scratch.
    await moveLegacyChats(handle.db, { batchSize: 11 });
    state = await countState();
    expect(state).toMatchObject({ wrong: 0, kept: state.messages });
    await rollbackLegacyMove(handle.db, { batchSize: 5 });
    state = await countState();
    expect(state).toMatchObject({ wrong: 0, kept: state.messages });
    await moveLegacyChats(handle.db, { batchSize: 13 });
    state = await countState();
    expect(state.messages).toBeGreaterThan(0);
    expect(state).toMatchObject({ wrong: 0, kept: state.messages });
  });
});
