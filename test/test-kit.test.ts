import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { conversationParticipants, messages } from '../src/app/schema/index.js';
import {
  createConversation,
  createMessage,
  createMove,
  createParticipant,
  createTestKit,
  type TestKit,
  type TestKitDatabase,
} from '../src/app/testing/index.js';
import { readMigrations } from '../src/deploy/migration-files.js';
import { tablesIn } from './support/catalog.js';
import { hasServer, serverOnlyReason, testServer } from './support/test-database.js';

// The test kit as app teams use it (`@moveline/conversations-db/testing`): each database() is a
// migrated copy, independent of the others, gone after close(); the factories build valid rows.

const adminUrl = testServer.mode === 'server' ? testServer.adminUrl : undefined;
const migrationCount = readMigrations().length;

async function appliedMigrations(database: TestKitDatabase): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return row?.n ?? -1;
}

async function databaseExists(name: string): Promise<boolean> {
  const admin = postgres(adminUrl ?? '', { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    return rows.length === 1;
  } finally {
    await admin.end();
  }
}

describe.each([
  { mode: 'PGlite in memory', server: false },
  { mode: 'a server template', server: true },
])('the test kit on $mode', ({ server }) => {
  const skip = server && !hasServer;
  let kit: TestKit | undefined;

  beforeAll(async () => {
    if (skip) return;
    kit = await createTestKit(server ? { adminUrl, prefix: 'cdb_kit' } : {});
  });

  afterAll(async () => {
    await kit?.dispose();
  });

  it.skipIf(skip)(
    `gives migrated databases that do not share rows ${server ? serverOnlyReason : ''}`,
    async () => {
      if (!kit) throw new Error('kit not created');
      const first = await kit.database('first');
      const second = await kit.database('second');
      try {
        expect(await appliedMigrations(first)).toBe(migrationCount);
        expect(await tablesIn(first.db)).toEqual(
          expect.arrayContaining(['conversations', 'conversation_participants', 'messages']),
        );
        expect(await tablesIn(first.db)).not.toContain('chat_sessions');
        await createMessage(first.db, { content: 'only in the first' });
        const inFirst = await first.db.select().from(messages);
        const inSecond = await second.db.select().from(messages);
        expect(inFirst.map((m) => m.content)).toEqual(['only in the first']);
        expect(inSecond).toEqual([]);
      } finally {
        // Together: on a server each close() is a DROP DATABASE, which waits for a forced checkpoint;
        // two sent at once share one (seconds each while other work fills the server's buffers).
        await Promise.all([first.close(), second.close()]);
      }
    },
  );

  it.skipIf(skip)(
    `factories build a move with its owner, a conversation, participants and messages ${server ? serverOnlyReason : ''}`,
    async () => {
      if (!kit) throw new Error('kit not created');
      const database = await kit.database('factories');
      try {
        const { db } = database;
        const { move, user, employee } = await createMove(db, { email: 'ann@example.com' });
        expect(employee.email).toBe(user.email);
        const conversation = await createConversation(db, { moveId: move.id, title: 'Lease' });
        await createParticipant(db, { conversationId: conversation.id, userId: user.id, role: 'owner' });
        await createParticipant(db, { conversationId: conversation.id });
        const message = await createMessage(db, { conversationId: conversation.id, authorId: user.id });
        const participants = await db
          .select({ type: conversationParticipants.participantType, role: conversationParticipants.role })
          .from(conversationParticipants)
          .where(eq(conversationParticipants.conversationId, conversation.id))
          .orderBy(conversationParticipants.participantType);
        expect(participants).toEqual([
          { type: 'employee', role: 'owner' },
          { type: 'ai', role: 'participant' },
        ]);
        expect(message).toMatchObject({
          conversationId: conversation.id,
          authorId: user.id,
          content: 'Hello',
        });
        // Without ids, each factory makes what it needs; two calls never collide.
        const a = await createMessage(db);
        const b = await createMessage(db);
        expect(a.conversationId).not.toBe(b.conversationId);
      } finally {
        await database.close();
      }
    },
  );
});

it.skipIf(!hasServer)(
  `close() drops the database and dispose() the template ${serverOnlyReason}`,
  async () => {
    // A prefix of this test's own: other runs on the same server make and drop kit templates too.
    const prefix = `cdb_kit_${randomBytes(3).toString('hex')}`;
    const own = await createTestKit({ adminUrl, prefix });
    const database = await own.database('dropped');
    const name = new URL(database.url ?? '').pathname.slice(1);
    expect(await databaseExists(name)).toBe(true);
    await database.close();
    expect(await databaseExists(name)).toBe(false);
    const admin = postgres(adminUrl ?? '', { max: 1, onnotice: () => {} });
    const templates = () =>
      admin`select datname from pg_database where starts_with(datname, ${`${prefix}_template_`})`;
    const templatesBefore = await templates();
    await own.dispose();
    const templatesAfter = await templates();
    await admin.end();
    expect(templatesBefore).toHaveLength(1);
    expect(templatesAfter).toHaveLength(0);
  },
);
