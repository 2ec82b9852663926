import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import { rollbackDatabase } from '../src/deploy/rollback.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import {
  insertLegacyDataset,
  moveLegacyChats,
  validateLegacyMove,
} from '../src/operator/legacy-move/index.js';
import { tablesIn } from './support/catalog.js';
import { expandedDatabase, tableChecksum } from './support/legacy-rows.js';
import type { TestDatabase } from './support/test-database.js';

// The contract step is reversible without a backup: legacy data -> move -> the guarded drop -> the
// down of the drop gives back chat_sessions and chat_messages equal, row for row, to the originals.
// The generated dataset has what the mapping cannot carry as it is: NULL titles, NULL content,
// orphans (archived, or attached to a move), naive timestamps, unknown metadata keys.

let opened: { database: TestDatabase; handle: DatabaseHandle } | undefined;

afterEach(async () => {
  await opened?.handle.close();
  await opened?.database.drop();
  opened = undefined;
});

async function legacyChecksums(handle: DatabaseHandle) {
  return {
    chat_sessions: await tableChecksum(handle.db, 'chat_sessions'),
    chat_messages: await tableChecksum(handle.db, 'chat_messages'),
  };
}

describe('down of the drop', () => {
  it.each(['archive', 'assign'] as const)(
    'refills the legacy tables losslessly (orphans: %s)',
    async (orphans) => {
      opened = await expandedDatabase(`round_trip_${orphans}`);
      const { db } = opened.handle;
      const dataset = await insertLegacyDataset(db, { sessions: 40, seed: 7 });
      const [facts] = await queryRows<{
        sessions: number;
        messages: number;
        null_titles: number;
        null_contents: number;
        orphans: number;
        move: string;
      }>(
        db,
        sql`select (select count(*)::int from chat_sessions) as sessions,
                 (select count(*)::int from chat_messages) as messages,
                 (select count(*)::int from chat_sessions where title is null) as null_titles,
                 (select count(*)::int from chat_messages where content is null) as null_contents,
                 (select count(*)::int from chat_sessions where move_id is null) as orphans,
                 (select min(id::text) from moves) as move`,
      );
      // The dataset must hold every lossy case, or the equality below proves nothing about them.
      expect(facts?.null_titles).toBeGreaterThan(0);
      expect(facts?.null_contents).toBeGreaterThan(0);
      expect(facts?.orphans).toBeGreaterThan(0);
      // The generator's summary describes the rows it wrote.
      expect(dataset).toMatchObject({
        sessions: facts?.sessions,
        messages: facts?.messages,
        orphanSessions: facts?.orphans,
        nullTitles: facts?.null_titles,
        nullContents: facts?.null_contents,
      });
      const before = await legacyChecksums(opened.handle);

      await moveLegacyChats(db, orphans === 'assign' ? { orphans, moveId: facts?.move ?? '' } : { orphans });
      expect((await validateLegacyMove(db, { orphans })).ok).toBe(true);
      const drop = await migrateDatabase(db);
      expect(drop.applied.at(-1)).toMatch(/_drop_legacy_chats$/);
      expect(await tablesIn(db)).not.toContain('chat_sessions');

      const rollback = await rollbackDatabase(db, { to: expandStepTag() });
      expect(rollback.rolledBack).toEqual([drop.applied.at(-1)]);
      expect(await legacyChecksums(opened.handle)).toEqual(before);
      // And the move's state is consistent again: validate passes on the refilled tables.
      expect((await validateLegacyMove(db, { orphans })).ok).toBe(true);
    },
  );
});
