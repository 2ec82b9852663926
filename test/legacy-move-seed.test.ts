import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Queryable, queryRows } from '../src/app/database.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { moveLegacyChats, validateLegacyMove } from '../src/operator/legacy-move/index.js';
import { expandedDatabase, insertMessage, insertSession, type LegacyMessage } from './support/legacy-rows.js';
import { repoRoot } from './support/run.js';
import type { TestDatabase } from './support/test-database.js';

// On clean legacy data (every session has a move, no NULL title or content) the move must produce,
// row for row, what seed 000's Step 3 SQL produces. Two fresh databases get the same rows; one runs
// the seed's SQL verbatim, the other the move.

const seedStep3 = readFileSync(resolve(repoRoot, 'test/fixtures/seed-000-step3.sql'), 'utf8')
  .replace(/--.*$/gm, '')
  .split(';')
  .map((s) => s.trim())
  .filter(Boolean);

let seed: { database: TestDatabase; handle: DatabaseHandle };
let moved: { database: TestDatabase; handle: DatabaseHandle };

const employees = [0, 1, 2].map((i) => ({ id: randomUUID(), email: `employee${i}@example.com` }));
const moves = employees.map((e) => ({ id: randomUUID(), employeeId: e.id }));
const sessions = Array.from({ length: 7 }, (_, i) => ({
  id: randomUUID(),
  moveId: moves[i % moves.length]?.id,
  title: `Chat ${i}`,
  createdAt: `2025-02-0${i + 1} 08:00:00.25`,
  updatedAt: `2025-02-0${i + 1} 09:30:00`,
  agentMailInboxId: i % 2 ? `inbox_${i}` : null,
  agentMailEmailAddress: i % 2 ? `m${i}@inbox.example` : null,
}));
const messages: (LegacyMessage & { sessionId: string })[] = sessions.flatMap((s, i) =>
  (['system', 'user', 'assistant', 'user'] as const).map((role, m) => ({
    sessionId: s.id,
    id: randomUUID(),
    role,
    content: `${role} ${i}.${m}`,
    toolCalls: role === 'assistant' ? [{ name: 'lookup', arguments: { n: m } }] : null,
    metadata: m === 3 ? { isEmail: true, emailTo: ['a@b.example'], extra: { kept: true } } : null,
    reasoning: role === 'assistant' ? 'why' : null,
    model: role === 'assistant' ? 'gpt-4o' : null,
    createdAt: `2025-02-0${i + 1} 08:0${m}:00.000123`,
  })),
);

async function fill(db: Queryable): Promise<void> {
  // employee0 and employee1 have a user with the same email; employee2 has none.
  for (const [i, e] of employees.entries()) {
    await db.execute(sql`insert into employees (id, email) values (${e.id}::uuid, ${e.email})`);
    if (i < 2) await db.execute(sql`insert into users (id, email) values (${`user${i}`}, ${e.email})`);
  }
  for (const m of moves)
    await db.execute(sql`insert into moves (id, employee_id) values (${m.id}::uuid, ${m.employeeId}::uuid)`);
  for (const s of sessions) await insertSession(db, s);
  for (const m of messages) await insertMessage(db, m.sessionId, m);
}

beforeAll(async () => {
  seed = await expandedDatabase('seed_reference');
  moved = await expandedDatabase('seed_moved');
  await fill(seed.handle.db);
  await fill(moved.handle.db);
  // The seed's SQL lets PostgreSQL cast timestamp to timestamptz in the session's zone: make it UTC,
  // the zone the move reads legacy timestamps in (the move itself does not depend on it).
  await seed.handle.db.transaction(async (tx) => {
    await tx.execute(sql`set local time zone 'UTC'`);
    for (const statement of seedStep3) await tx.execute(sql.raw(statement));
  });
  await moveLegacyChats(moved.handle.db, { batchSize: 3 });
});

afterAll(async () => {
  for (const side of [seed, moved]) {
    await side?.handle.close();
    await side?.database.drop();
  }
});

const rowsOf = (db: Queryable, query: string) =>
  queryRows<{ row: unknown }>(db, sql.raw(`select to_jsonb(t) as row from (${query}) t`));

it.each([
  ['conversations', 'select * from conversations order by id'],
  ['messages', 'select * from messages order by id'],
  [
    'conversation_participants (ids and join times are random / now())',
    `select conversation_id, user_id, participant_type, role, last_read_at from conversation_participants
     order by conversation_id, participant_type, user_id`,
  ],
])('%s: the move equals seed 000 Step 3 row for row', async (_table, query) => {
  const expected = await rowsOf(seed.handle.db, query);
  expect(expected.length).toBeGreaterThan(0);
  expect(await rowsOf(moved.handle.db, query)).toEqual(expected);
});

it('the data was clean and the move validates', async () => {
  expect(await rowsOf(seed.handle.db, 'select count(*) from conversations')).toEqual([{ row: { count: 7 } }]);
  expect((await validateLegacyMove(moved.handle.db)).ok).toBe(true);
});
