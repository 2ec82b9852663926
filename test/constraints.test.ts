import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/app/database.js';
import { conversationParticipants, conversations, messages, moves, users } from '../src/app/schema/index.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { insertMoveWithOwner } from './support/host-rows.js';
import { rejection } from './support/rejection.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase('constraints', { at: 'migrated' });
  handle = await database.open();
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

async function conversationWithPeople() {
  const { db } = handle;
  const { user, move } = await insertMoveWithOwner(db);
  const [conversation] = await db
    .insert(conversations)
    .values({ moveId: move.id, title: 'Lease' })
    .returning();
  if (!conversation) throw new Error('no conversation');
  await db.insert(conversationParticipants).values([
    { conversationId: conversation.id, participantType: 'ai' },
    { conversationId: conversation.id, userId: user.id, participantType: 'employee', role: 'owner' },
  ]);
  const [message] = await db
    .insert(messages)
    .values({ conversationId: conversation.id, authorId: user.id, content: 'Hello' })
    .returning();
  if (!message) throw new Error('no message');
  return { user, move, conversation, message };
}

describe('constraints behave as the seed and DESIGN.md say', () => {
  it('deleting a move cascades to its conversations, participants and messages', async () => {
    const { db } = handle;
    const { move, conversation } = await conversationWithPeople();
    await db.delete(moves).where(eq(moves.id, move.id));
    expect(await db.select().from(conversations).where(eq(conversations.id, conversation.id))).toEqual([]);
    expect(
      await db
        .select()
        .from(conversationParticipants)
        .where(eq(conversationParticipants.conversationId, conversation.id)),
    ).toEqual([]);
    expect(await db.select().from(messages).where(eq(messages.conversationId, conversation.id))).toEqual([]);
  });

  it("deleting a user nulls messages.author_id and removes that user's participant rows", async () => {
    const { db } = handle;
    const { user, conversation, message } = await conversationWithPeople();
    await db.delete(users).where(eq(users.id, user.id));
    const [after] = await db.select().from(messages).where(eq(messages.id, message.id));
    expect(after?.authorId).toBeNull();
    expect(after?.content).toBe('Hello');
    const left = await db
      .select({ type: conversationParticipants.participantType })
      .from(conversationParticipants)
      .where(eq(conversationParticipants.conversationId, conversation.id));
    expect(left).toEqual([{ type: 'ai' }]);
  });

  it('rejects a second AI participant in one conversation', async () => {
    const { conversation } = await conversationWithPeople();
    const error = await rejection(
      handle.db
        .insert(conversationParticipants)
        .values({ conversationId: conversation.id, participantType: 'ai' }),
    );
    expect(error.code).toBe('23505');
    expect(error.message).toContain('idx_participants_conversation_type_no_user');
  });

  it('rejects an employee participant without a user', async () => {
    const { conversation } = await conversationWithPeople();
    const error = await rejection(
      handle.db
        .insert(conversationParticipants)
        .values({ conversationId: conversation.id, participantType: 'employee' }),
    );
    expect(error.code).toBe('23514');
    expect(error.message).toContain('conversation_participants_human_has_user');
  });

  it('rejects an unknown enum value', async () => {
    const { conversation } = await conversationWithPeople();
    const error = await rejection(
      handle.db.execute(sql`update conversations set status = 'deleted' where id = ${conversation.id}`),
    );
    expect(error.code).toBe('22P02');
    expect(error.message).toContain('conversation_status');
  });

  it('a raw UPDATE moves updated_at forward; an UPDATE that sets it keeps its value', async () => {
    const { db } = handle;
    const { conversation } = await conversationWithPeople();
    await db.execute(
      sql`update conversations set updated_at = '2020-01-01T00:00:00Z' where id = ${conversation.id}`,
    );
    const [kept] = await queryRows<{ epoch: string }>(
      db,
      sql`select extract(epoch from updated_at)::bigint::text as epoch from conversations where id = ${conversation.id}`,
    );
    expect(kept?.epoch).toBe('1577836800');
    await db.execute(sql`update conversations set title = 'Renamed' where id = ${conversation.id}`);
    const [moved] = await queryRows<{ forward: boolean }>(
      db,
      sql`select updated_at > '2020-01-01T00:00:00Z' and updated_at <= now() as forward from conversations where id = ${conversation.id}`,
    );
    expect(moved?.forward).toBe(true);
  });
});
