import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationParticipants, conversations, messages } from '../src/app/schema/index.js';
import type { DatabaseHandle } from '../src/operator/connect.js';
import { insertMoveWithOwner } from './support/host-rows.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// Relational queries (db.query.*) run on the relations of src/app/schema/relations.ts, both ways, on a
// database that db:migrate built.

let database: TestDatabase;
let handle: DatabaseHandle;
let fixture: Awaited<ReturnType<typeof seedConversation>>;

beforeAll(async () => {
  database = await createTestDatabase('relations', { at: 'migrated' });
  handle = await database.open();
  fixture = await seedConversation();
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

async function seedConversation() {
  const { db } = handle;
  const { user, employee, move } = await insertMoveWithOwner(db, 'rel');
  const [conversation] = await db
    .insert(conversations)
    .values({ moveId: move.id, title: 'Lease', createdBy: user.id })
    .returning();
  if (!conversation) throw new Error('no conversation');
  const participants = await db
    .insert(conversationParticipants)
    .values([
      { conversationId: conversation.id, userId: user.id, participantType: 'employee', role: 'owner' },
      { conversationId: conversation.id, participantType: 'ai' },
    ])
    .returning();
  const inserted = await db
    .insert(messages)
    .values([
      { conversationId: conversation.id, authorId: user.id, content: 'Is the lease signed?' },
      { conversationId: conversation.id, authorType: 'ai', content: 'Yes, on Monday.' },
    ])
    .returning();
  return { user, employee, move, conversation, participants, messages: inserted };
}

describe('relations from a conversation outwards', () => {
  it('findMany with messages and participants returns the rows of each conversation', async () => {
    const found = await handle.db.query.conversations.findMany({
      where: eq(conversations.moveId, fixture.move.id),
      with: {
        messages: { orderBy: [asc(messages.content)] },
        participants: { orderBy: [asc(conversationParticipants.participantType)] },
      },
    });
    expect(found).toHaveLength(1);
    const [conversation] = found;
    expect(conversation?.id).toBe(fixture.conversation.id);
    expect(conversation?.messages.map((m) => m.content)).toEqual(['Is the lease signed?', 'Yes, on Monday.']);
    expect(conversation?.participants.map((p) => [p.participantType, p.userId])).toEqual([
      ['employee', fixture.user.id],
      ['ai', null],
    ]);
  });

  it('a conversation reaches its move (and its employee) and its creator', async () => {
    const found = await handle.db.query.conversations.findFirst({
      where: eq(conversations.id, fixture.conversation.id),
      with: { move: { with: { employee: true } }, creator: true },
    });
    expect(found?.move.id).toBe(fixture.move.id);
    expect(found?.move.employee.email).toBe(fixture.employee.email);
    expect(found?.creator?.email).toBe(fixture.user.email);
  });
});

describe('relations back to the conversation', () => {
  it('a message reaches its conversation and its author; an AI message has no author', async () => {
    const found = await handle.db.query.messages.findMany({
      where: eq(messages.conversationId, fixture.conversation.id),
      with: { conversation: true, author: true },
      orderBy: [asc(messages.content)],
    });
    expect(found.map((m) => [m.conversation.title, m.author?.id ?? null])).toEqual([
      ['Lease', fixture.user.id],
      ['Lease', null],
    ]);
  });

  it('a participant reaches its user and its conversation', async () => {
    const found = await handle.db.query.conversationParticipants.findFirst({
      where: eq(conversationParticipants.userId, fixture.user.id),
      with: { user: true, conversation: true },
    });
    expect(found?.user?.email).toBe(fixture.user.email);
    expect(found?.conversation.id).toBe(fixture.conversation.id);
  });

  it('a move lists its conversations', async () => {
    const found = await handle.db.query.moves.findFirst({
      where: (m, { eq: equals }) => equals(m.id, fixture.move.id),
      with: { conversations: { columns: { id: true, title: true } } },
    });
    expect(found?.conversations).toEqual([{ id: fixture.conversation.id, title: 'Lease' }]);
  });

  it('a user lists participations, messages and the conversations they created', async () => {
    const found = await handle.db.query.users.findFirst({
      where: (u, { eq: equals }) => equals(u.id, fixture.user.id),
      with: { participations: true, messages: true, createdConversations: true },
    });
    expect(found?.participations.map((p) => p.role)).toEqual(['owner']);
    expect(found?.messages.map((m) => m.content)).toEqual(['Is the lease signed?']);
    expect(found?.createdConversations.map((c) => c.id)).toEqual([fixture.conversation.id]);
  });
});
