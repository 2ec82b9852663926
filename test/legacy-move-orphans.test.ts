import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { moveLegacyChats, planLegacyMove, validateLegacyMove } from '../src/operator/legacy-move/index.js';
import { count, expandedDatabase, insertMessage, insertMove, insertSession } from './support/legacy-rows.js';
import type { TestDatabase } from './support/test-database.js';

// Sessions without a move (seed 000's "orphaned sessions"), under each policy.

let database: TestDatabase;
let handle: DatabaseHandle;
let orphan: string;
let orphanMessages: string[];

beforeEach(async () => {
  ({ database, handle } = await expandedDatabase('move_orphans'));
  const { moveId } = await insertMove(handle.db, 'owner@example.com');
  await insertSession(handle.db, { moveId });
  orphan = await insertSession(handle.db, { moveId: null, title: null });
  orphanMessages = [
    await insertMessage(handle.db, orphan, { content: null, metadata: { x: { y: 1 } } }),
    await insertMessage(handle.db, orphan, { role: 'assistant', createdAt: '2025-03-01 10:06:00' }),
  ];
});

afterEach(async () => {
  await handle?.close();
  await database?.drop();
});

describe('--orphans=archive (the default)', () => {
  it('archives the session and its messages as jsonb with the reason, and lists them as not moved', async () => {
    const result = await moveLegacyChats(handle.db);
    const [row] = await queryRows<{
      equal_session: boolean;
      equal_messages: boolean;
      reason: string;
      n: number;
    }>(
      handle.db,
      sql`select a.session = to_jsonb(cs) as equal_session,
                 a.messages = (select jsonb_agg(to_jsonb(cm) order by cm.created_at, cm.id) from chat_messages cm
                               where cm.session_id = cs.id) as equal_messages,
                 a.reason, jsonb_array_length(a.messages)::int as n
          from chat_session_archive a join chat_sessions cs on cs.id = a.session_id`,
    );
    expect(row).toEqual({
      equal_session: true,
      equal_messages: true,
      reason: 'no move: chat_sessions.move_id was NULL (chats:migrate --orphans=archive)',
      n: 2,
    });
    expect(await count(handle.db, `conversations where id = '${orphan}'`)).toBe(0);
    expect(result.notMoved.sessions).toEqual([{ id: orphan, reason: 'archived: the session has no move' }]);
    expect(result.notMoved.messages.map((m) => m.id).sort()).toEqual([...orphanMessages].sort());
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });

  it('a re-run finds its orphans first: one whose archive is current runs no batch, an edited one runs its batch alone', async () => {
    // Two orphans more, in two orphans batches of two.
    for (let i = 0; i < 2; i++) {
      const more = await insertSession(handle.db, { moveId: null, title: `orphan ${i}` });
      await insertMessage(handle.db, more, { content: `orphan message ${i}` });
    }
    await moveLegacyChats(handle.db, { batchSize: 2 });
    const phases: string[] = [];
    const onBatch = ({ phase }: { phase: string }) => {
      phases.push(phase);
    };
    const idle = await moveLegacyChats(handle.db, { batchSize: 2, onBatch });
    expect(phases).toEqual([]);
    expect(idle.counts.archiveUpdated).toBe(0);

    // The sync is off in this file: the archive no longer equals the orphan until a run rewrites it.
    await handle.db.execute(
      sql`update chat_messages set content = 'edited' where id = ${orphanMessages[1] ?? null}::uuid`,
    );
    const edited = await moveLegacyChats(handle.db, { batchSize: 2, onBatch });
    expect(phases).toEqual(['orphans']);
    expect(edited.counts).toMatchObject({ archiveUpdated: 1, archiveInserted: 0 });
    expect(
      await count(
        handle.db,
        `chat_session_archive a, jsonb_array_elements(a.messages) e
         where a.session_id = '${orphan}' and e->>'content' = 'edited'`,
      ),
    ).toBe(1);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });

  it('updates the archive when the orphan gains a message, and moves it once it gains a move', async () => {
    await moveLegacyChats(handle.db);
    await insertMessage(handle.db, orphan, { content: 'late' });
    expect((await validateLegacyMove(handle.db)).checks.find((c) => !c.ok)?.failingIds).toEqual([orphan]);
    await moveLegacyChats(handle.db);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);

    const { moveId } = await insertMove(handle.db, 'later@example.com');
    await handle.db.execute(
      sql`update chat_sessions set move_id = ${moveId}::uuid where id = ${orphan}::uuid`,
    );
    await moveLegacyChats(handle.db);
    expect(await count(handle.db, 'chat_session_archive')).toBe(0);
    expect(await count(handle.db, `messages where conversation_id = '${orphan}'`)).toBe(3);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });
});

describe('--orphans=keep', () => {
  it('leaves the orphan where it is and lists it; validate accepts it only under keep', async () => {
    const plan = await planLegacyMove(handle.db, { orphans: 'keep' });
    expect(plan.sessions.orphanIds).toEqual([orphan]);
    const result = await moveLegacyChats(handle.db, { orphans: 'keep' });
    expect(result.notMoved.sessions).toEqual([
      { id: orphan, reason: 'kept for manual review: the session has no move (--orphans=keep)' },
    ]);
    expect(await count(handle.db, 'chat_session_archive')).toBe(0);
    expect(await count(handle.db, 'conversations')).toBe(1);
    expect((await validateLegacyMove(handle.db, { orphans: 'keep' })).ok).toBe(true);
    const strict = await validateLegacyMove(handle.db);
    expect(strict.ok).toBe(false);
    expect(strict.checks.filter((c) => !c.ok).map((c) => [c.check, c.failingIds])).toEqual([
      ['every orphan session is archived or attached to a move (--orphans=archive)', [orphan]],
    ]);
  });
});

describe('--orphans=assign --move-id', () => {
  it('attaches orphans to that move, and the ledger remembers move_id was NULL', async () => {
    const { moveId } = await insertMove(handle.db, 'catchall@example.com');
    await moveLegacyChats(handle.db, { orphans: 'assign', moveId });
    const [row] = await queryRows(
      handle.db,
      sql`select c.move_id::text, c.title, l.assigned_move_id::text, l.title_was_null
          from conversations c join legacy_chat_moved_sessions l on l.session_id = c.id where c.id = ${orphan}::uuid`,
    );
    expect(row).toEqual({
      move_id: moveId,
      title: 'New Conversation',
      assigned_move_id: moveId,
      title_was_null: true,
    });
    expect(await count(handle.db, `messages where conversation_id = '${orphan}'`)).toBe(2);
    // Once attached it stays moved, whatever policy a later run uses.
    await moveLegacyChats(handle.db);
    expect(await count(handle.db, 'chat_session_archive')).toBe(0);
    expect((await validateLegacyMove(handle.db)).ok).toBe(true);
  });

  it('refuses a move id that does not exist, clearly, and writes nothing', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(moveLegacyChats(handle.db, { orphans: 'assign', moveId: missing })).rejects.toThrow(
      `--move-id ${missing}: no such move in moves`,
    );
    await expect(moveLegacyChats(handle.db, { orphans: 'assign', moveId: 'nope' })).rejects.toThrow(
      '--move-id nope is not a uuid',
    );
    expect(await count(handle.db, 'conversations')).toBe(0);
  });
});
