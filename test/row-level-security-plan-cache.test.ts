import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../src/app/database.js';
import { WriteNotPermittedError, WriteTargetNotFoundError } from '../src/app/errors/write-errors.js';
import { listConversationMessages } from '../src/app/queries/conversation-messages.js';
import { listMoveConversations } from '../src/app/queries/move-conversations.js';
import { listUserConversations } from '../src/app/queries/user-conversations.js';
import { conversationParticipants, messages } from '../src/app/schema/index.js';
import { withUser } from '../src/app/security/with-user.js';
import { markRead } from '../src/app/writes/mark-read.js';
import { postMessage } from '../src/app/writes/post-message.js';
import { insertMoveWithOwner, insertNamedConversations, insertUsers } from './support/host-rows.js';
import {
  createTestDatabase,
  hasServer,
  serverOnlyReason,
  type TestDatabase,
} from './support/test-database.js';

// The package's hot queries and withUser's set_config run as named prepared statements on postgres.js
// (src/app/prepared.ts). One pooled connection serves every user and the owner in turn, so a plan cached
// for one of them must never answer for another. plan_cache_mode = force_generic_plan makes every run
// after the first reuse one cached plan: the case where a plan that baked in a role or a user would leak.

let database: TestDatabase | undefined;
let owner: postgres.Sql | undefined;
const clients: postgres.Sql[] = [];
const ids = { moveId: '', lease: '', boxes: '', other: '' };

function connect(options: { prepare: boolean }): Database {
  const client = postgres(database?.url ?? '', {
    max: 1,
    prepare: options.prepare,
    onnotice: () => {},
    connection: { plan_cache_mode: 'force_generic_plan' },
  });
  clients.push(client);
  return drizzle(client) as unknown as Database;
}

beforeAll(async () => {
  if (!hasServer) return;
  database = await createTestDatabase('rls_plan_cache', { at: 'migrated' });
  owner = postgres(database.url ?? '', { max: 1, onnotice: () => {} });
  const db = drizzle(owner) as unknown as Database;
  const { move } = await insertMoveWithOwner(db, 'plan-cache');
  ids.moveId = move.id;
  await insertUsers(db, ['alice', 'bob', 'erin']);
  Object.assign(ids, await insertNamedConversations(db, move.id, ['lease', 'boxes', 'other']));
  await db.insert(conversationParticipants).values([
    { conversationId: ids.lease, userId: 'alice', participantType: 'employee', role: 'owner' },
    { conversationId: ids.lease, userId: 'bob', participantType: 'vendor', role: 'participant' },
    { conversationId: ids.boxes, userId: 'bob', participantType: 'vendor', role: 'owner' },
    { conversationId: ids.other, userId: 'erin', participantType: 'employee', role: 'owner' },
  ]);
  await db.insert(messages).values([
    { conversationId: ids.lease, authorId: 'alice', content: 'lease: hello' },
    { conversationId: ids.boxes, authorId: 'bob', content: 'boxes: hello' },
    { conversationId: ids.other, authorId: 'erin', content: 'other: hello' },
  ]);
});

afterAll(async () => {
  for (const client of clients) await client.end();
  await owner?.end();
  await database?.drop();
});

/** Everything the hot queries show `userId` (undefined: the connecting owner, outside withUser). */
async function seenBy(db: Database, userId: string | undefined) {
  const read = async (q: Database) => ({
    conversations: (await listUserConversations(q, { userId: userId ?? 'alice' })).map((c) => c.title).sort(),
    move: (await listMoveConversations(q, { moveId: ids.moveId })).map((c) => c.title).sort(),
    lease: (await listConversationMessages(q, { conversationId: ids.lease })).messages.map((m) => m.content),
  });
  return userId === undefined ? read(db) : withUser(db, userId, (tx) => read(tx as unknown as Database));
}

async function preparedStatements(db: Database) {
  return queryRows<{ statement: string; generic_plans: number }>(
    db,
    sql`select statement, generic_plans::int as generic_plans from pg_catalog.pg_prepared_statements`,
  );
}

describe.skipIf(!hasServer)(`prepared statements under row-level security ${serverOnlyReason}`, () => {
  it('one cached generic plan per query answers each user, an unknown user and the owner with only their rows', async () => {
    const db = connect({ prepare: true });
    const expected = {
      owner: { conversations: ['lease'], move: ['boxes', 'lease', 'other'], lease: ['lease: hello'] },
      alice: { conversations: ['lease'], move: ['lease'], lease: ['lease: hello'] },
      bob: { conversations: ['boxes', 'lease'], move: ['boxes', 'lease'], lease: ['lease: hello'] },
      erin: { conversations: ['other'], move: ['other'], lease: [] },
      nobody: { conversations: [], move: [], lease: [] },
    };
    // The owner first in every round: a plan made without row-level security is then cached when the app
    // role first runs the same statement.
    for (let round = 0; round < 3; round++) {
      expect(await seenBy(db, undefined)).toEqual(expected.owner);
      for (const user of ['alice', 'bob', 'erin', 'nobody'] as const) {
        expect(await seenBy(db, user)).toEqual(expected[user]);
      }
    }
    // Posting through the same cached insert: allowed where the user takes part, refused elsewhere.
    const posted = await withUser(db, 'erin', (tx) =>
      postMessage(tx as unknown as Database, {
        conversationId: ids.other,
        authorId: 'erin',
        content: 'erin again',
      }),
    );
    expect(posted.content).toBe('erin again');
    await expect(
      withUser(db, 'erin', (tx) =>
        postMessage(tx as unknown as Database, {
          conversationId: ids.lease,
          authorId: 'erin',
          content: 'no',
        }),
      ),
    ).rejects.toBeInstanceOf(WriteNotPermittedError);
    // Marking read through the same cached update: the user's own row only.
    const read = await withUser(db, 'alice', (tx) =>
      markRead(tx as unknown as Database, { conversationId: ids.lease, userId: 'alice' }),
    );
    expect(read.userId).toBe('alice');
    expect(read.lastReadAt).not.toBeNull();
    await expect(
      withUser(db, 'erin', (tx) =>
        markRead(tx as unknown as Database, { conversationId: ids.lease, userId: 'alice' }),
      ),
    ).rejects.toBeInstanceOf(WriteTargetNotFoundError);
    // The cache was really used: each query and set_config is a prepared statement with generic plans.
    const prepared = await preparedStatements(db);
    for (const fragment of [
      'set_config',
      'from "conversation_participants"',
      'from "conversations"',
      'from "messages"',
    ]) {
      const statement = prepared.find((p) => p.statement.includes(fragment));
      expect(statement, fragment).toBeDefined();
      expect(statement?.generic_plans, fragment).toBeGreaterThan(1);
    }
    expect(prepared.some((p) => p.statement.startsWith('insert into "messages"'))).toBe(true);
    expect(prepared.some((p) => p.statement.startsWith('update "conversation_participants"'))).toBe(true);
  });

  it('a client created with prepare: false (a pooler in transaction mode) gets the same rows and no prepared statement', async () => {
    const db = connect({ prepare: false });
    expect(await seenBy(db, 'bob')).toEqual({
      conversations: ['boxes', 'lease'],
      move: ['boxes', 'lease'],
      lease: ['lease: hello'],
    });
    expect(await preparedStatements(db)).toEqual([]);
  });
});
