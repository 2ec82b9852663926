import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { moveLegacyChats } from '../src/operator/legacy-move/index.js';
import { legacyThenExpandedPerTest, shapesDiffer } from './support/cutover.js';
import { insertMessage, insertSession } from './support/legacy-rows.js';
import { hasServer, serverOnlyReason } from './support/test-database.js';

// messages' reverse sync fires once per statement (0021_legacy_chat_sync_statement_level) and mirrors
// the statement's rows set-based: a statement writing many messages, moving one to another id, or
// deleting many, leaves the legacy shape exactly as the per-row sync did, the ledger's NULL content included.

let handle: DatabaseHandle;
legacyThenExpandedPerTest('cutover_statements', (opened) => {
  handle = opened;
});

const legacyMessages = (session: string) =>
  queryRows<{ id: string; content: string | null; role: string }>(
    handle.db,
    sql`select id::text, content, role::text from chat_messages where session_id = ${session}::uuid order by id`,
  );
const aMove = async () =>
  (await queryRows<{ id: string }>(handle.db, sql`select id::text from moves order by id limit 1`))[0]?.id ??
  '';
const wasNull = (id: string) =>
  queryRows<{ was_null: boolean }>(
    handle.db,
    sql`select content_was_null as was_null from legacy_chat_moved_messages where message_id = ${id}::uuid`,
  );

describe.skipIf(!hasServer)(
  `the reverse sync of messages, one statement at a time ${serverOnlyReason}`,
  () => {
    it('mirrors a statement of many rows: inserts, edits (a NULL content too), an id moved, deletes', async () => {
      const session = await insertSession(handle.db, { moveId: await aMove() });
      const empty = await insertMessage(handle.db, session, {
        content: null,
        createdAt: '2025-03-01 10:00:00',
      });
      const plain = await insertMessage(handle.db, session, {
        content: 'plain',
        createdAt: '2025-03-01 10:01:00',
      });
      await moveLegacyChats(handle.db);
      expect(await wasNull(empty)).toEqual([{ was_null: true }]);

      // Three new messages in one INSERT: each has its legacy row (no ledger row: born in the new app).
      await handle.db.execute(sql`insert into messages (conversation_id, author_type, content)
      values (${session}::uuid, 'ai', 'one'), (${session}::uuid, 'user', 'two'), (${session}::uuid, 'system', '')`);
      expect((await legacyMessages(session)).map((m) => m.content).sort()).toEqual(
        ['', 'one', 'plain', 'two', null].sort(),
      );
      expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });

      // One UPDATE over the whole conversation: the empty one still reads NULL in the legacy shape, until
      // its content is no longer empty; then the ledger forgets the NULL.
      await handle.db.execute(sql`update messages set model = 'm2' where conversation_id = ${session}::uuid`);
      expect((await legacyMessages(session)).find((m) => m.id === empty)?.content).toBeNull();
      await handle.db.execute(sql`update messages set content = content || '!'
      where conversation_id = ${session}::uuid and id in (${empty}::uuid, ${plain}::uuid)`);
      expect(
        (await legacyMessages(session))
          .filter((m) => m.id === empty || m.id === plain)
          .map((m) => m.content)
          .sort(),
      ).toEqual(['!', 'plain!']);
      expect(await wasNull(empty)).toEqual([{ was_null: false }]);
      expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });

      // An UPDATE that gives one message another id and edits another: the old id's legacy row goes, its
      // ledger row stays as a tombstone (a mover batch that read the legacy row must not put it back).
      const moved = randomUUID();
      await handle.db.execute(sql`update messages
      set id = case when id = ${plain}::uuid then ${moved}::uuid else id end, content = content || '?'
      where id in (${plain}::uuid, ${empty}::uuid)`);
      const ids = (await legacyMessages(session)).map((m) => m.id);
      expect(ids).toContain(moved);
      expect(ids).not.toContain(plain);
      expect(await wasNull(plain)).toEqual([{ was_null: false }]);
      expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });

      // One DELETE of every message: no legacy row left; the ledger rows stay as tombstones.
      await handle.db.execute(sql`delete from messages where conversation_id = ${session}::uuid`);
      expect(await legacyMessages(session)).toEqual([]);
      expect(await wasNull(empty)).toEqual([{ was_null: false }]);
      expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
      // chats:migrate (before go-live) clears the tombstones: no ledger row without its message is left.
      await moveLegacyChats(handle.db);
      expect([await wasNull(empty), await wasNull(plain)]).toEqual([[], []]);
      expect(
        await queryRows(
          handle.db,
          sql`select lm.message_id from legacy_chat_moved_messages lm
              where not exists (select 1 from messages m where m.id = lm.message_id)`,
        ),
      ).toEqual([]);
    });

    it('mirrors conversations inserted and deleted many in one statement (an orphan the mover attached too)', async () => {
      const orphan = await insertSession(handle.db, { moveId: null, title: null });
      await insertMessage(handle.db, orphan, { content: 'kept with its session' });
      const move = await aMove();
      await moveLegacyChats(handle.db, { orphans: 'assign', moveId: move });
      const born = [randomUUID(), randomUUID()] as const;
      const all = `{${[orphan, ...born].join(',')}}`;
      const sessions = () =>
        queryRows<{ id: string; move_id: string | null; title: string | null }>(
          handle.db,
          sql`select id::text, move_id::text, title from chat_sessions where id = any(${all}::uuid[]) order by id`,
        );
      await handle.db.execute(sql`insert into conversations (id, move_id, title)
        values (${born[0]}::uuid, ${move}::uuid, 'first'), (${born[1]}::uuid, ${move}::uuid, 'second')`);
      // The attached orphan reads as it was in the legacy shape: no move, no title (the ledger says so).
      expect(await sessions()).toEqual(
        [
          { id: orphan, move_id: null, title: null },
          { id: born[0], move_id: move, title: 'first' },
          { id: born[1], move_id: move, title: 'second' },
        ].sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
      expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });

      // One DELETE of the three: their sessions go, the orphan's legacy message with it.
      await handle.db.execute(sql`delete from conversations where id = any(${all}::uuid[])`);
      expect(await sessions()).toEqual([]);
      expect(await legacyMessages(orphan)).toEqual([]);
      expect(await shapesDiffer(handle.db)).toEqual({ sessions: [], messages: [] });
    });
  },
);
