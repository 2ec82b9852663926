import { afterAll, describe, expect, it } from 'vitest';
import { loadLegacyData } from '../bench/legacy-data.js';
import { legacyBaselineTag, removeSync } from '../bench/lib/sync.js';
import { runSeedStep3 } from '../bench/seed-step3.js';
import { expandStepTag } from '../src/deploy/expand-step.js';
import { migrateDatabase } from '../src/deploy/migrate.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

// The benchmark's figures are only comparable if its data is: same seed, same rows, with the
// awkward cases (orphans, NULL titles, email metadata, mentions) really present.
const size = { sessions: 300, messages: 3_000, users: 60, bigSessions: 2, bigSessionMessages: 500 };
const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const database of databases) await database.drop();
});

async function loaded(label: string) {
  const database = await createTestDatabase(label);
  databases.push(database);
  // As the bench loads it: legacy data before the expand step, then the expand step (the sync on).
  const handle = await database.open();
  await migrateDatabase(handle.db, { to: legacyBaselineTag });
  const postgres = (await import('postgres')).default;
  const sql = postgres(database.url as string, {
    max: 1,
    onnotice: () => {},
    connection: { TimeZone: 'UTC' },
  });
  const counts = await loadLegacyData(sql, size);
  await migrateDatabase(handle.db, { to: expandStepTag() });
  await handle.close();
  // Seed 000 Step 3 below knows no sync (bench/move.ts removes it the same way).
  await removeSync(sql);
  return { sql, counts };
}

const fingerprint = `select
  (select md5(string_agg(s::text, '|' order by s.id)) from chat_sessions s) as sessions,
  (select md5(string_agg(m::text, '|' order by m.id)) from chat_messages m) as messages,
  (select md5(string_agg(e::text, '|' order by e.id)) from employees e) as employees`;

describe('the bench data generator', () => {
  it.skipIf(!hasServer)(`is deterministic and has the awkward cases ${serverOnlyReason}`, async () => {
    const a = await loaded('bench_data_a');
    const b = await loaded('bench_data_b');
    try {
      expect(a.counts).toEqual(b.counts);
      expect(a.counts).toMatchObject({ users: 60, sessions: 300, messages: 3_000 });
      expect(await a.sql.unsafe(fingerprint)).toEqual(await b.sql.unsafe(fingerprint));
      const [facts] = await a.sql`select
        (select count(*)::int from chat_sessions where move_id is null) as orphans,
        (select count(*)::int from chat_sessions where title is null) as untitled,
        (select count(*)::int from chat_messages where metadata->>'isEmail' = 'true') as emails,
        (select count(*)::int from chat_messages where metadata ? 'mentioned') as mentions,
        (select max(n)::int from (select count(*) n from chat_messages group by session_id) x) as biggest`;
      expect(facts?.orphans).toBe(a.counts.orphanSessions);
      expect(facts?.orphans).toBeGreaterThan(0);
      expect(facts?.untitled).toBeGreaterThan(0);
      expect(facts?.emails).toBeGreaterThan(0);
      expect(facts?.mentions).toBeGreaterThan(0);
      expect(facts?.biggest).toBe(500);
      // The seed baseline runs on it and moves every message of a session that has a move.
      await runSeedStep3(a.sql);
      const [moved] = await a.sql`select (select count(*)::int from messages) as messages`;
      expect(moved?.messages).toBe(a.counts.messages - a.counts.orphanMessages);
    } finally {
      await a.sql.end();
      await b.sql.end();
    }
  });
});
